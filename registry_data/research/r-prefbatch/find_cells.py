"""The vLLM engine settings of the MLPerf Inference v5.1 Mixtral 8x7B Server runs on MI300X / MI325X, from each
submitter's own harness config (``code/mixtral-8x7b/harness_llm/models/mixtral-8x7b/server_<gpu>.yaml``; ASUSTeK's
``code_AMD/``), read statically (regular expressions on the text, nothing of the submission is run):
``max_num_seqs`` -> ``batch`` (vLLM V0's scheduler counts the running sequences against it before it admits a prompt,
so it caps the batch in flight: the engine's max batch size), ``max_num_batched_tokens`` -> ``max_num_tokens`` (the
tokens of one prefill step; chunked prefill is off in every one of these files), ``tensor_parallel_size`` -> ``tp``
and ``num_scheduler_steps`` -> ``scheduler_steps``. Writes cells.csv (replayed by ``apply.py``); stops where a cell
the catalog already states disagrees with its config.

    .venv/bin/python registry_data/research/r-prefbatch/find_cells.py V51_MIRROR [CATALOG]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REPOSITORY = "mlcommons/inference_results_v5.1"
KEYS = {"max_num_seqs": "batch", "max_num_batched_tokens": "max_num_tokens", "tensor_parallel_size": "tp",
        "num_scheduler_steps": "scheduler_steps"}
CODE = {"amd": "closed/AMD/code", "asustek": "closed/ASUSTeK/code_AMD", "dell": "closed/Dell/code",
        "gigacomputing": "closed/GigaComputing/code", "mitac": "closed/MiTAC/code",
        "quanta-cloud-technology": "closed/Quanta_Cloud_Technology/code", "vultr": "closed/Vultr/code"}
WHY = "{submitter}'s Mixtral 8x7B Server harness config for {gpu}: vllm_engine_config '{key}: {value}'"


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True, text=True).stdout


def settings(mirror: Path, commit: str, path: str) -> dict[str, tuple[int, int]]:
    """key -> (value, 1-based line) of the engine settings in one harness config."""
    found = {}
    for number, line in enumerate(git(mirror, "show", f"{commit}:{path}").splitlines(), start=1):
        m = re.match(r"\s+(\w+):\s*(\d+)\s*(#.*)?$", line)
        if m and m.group(1) in KEYS:
            found[m.group(1)] = (int(m.group(2)), number)
    return found


def main(mirror: Path, catalog: Path) -> pl.DataFrame:
    commit = git(mirror, "rev-parse", "HEAD").strip()
    m = pl.read_parquet(catalog)
    rows = m.filter(pl.col("framework").str.contains("(?i)vllm") & pl.col("model").str.contains("Mixtral")
                    & (pl.col("scenario") == "server") & pl.col("hardware").is_in(["MI300X", "MI325X"])
                    & pl.col("name").str.starts_with("mlperf-inf-v5.1-"))
    cells = []
    for r in rows.iter_rows(named=True):
        submitter = next(s for s in CODE if r["name"].startswith(f"mlperf-inf-v5.1-{s}-"))
        gpu = r["hardware"].lower()
        path = f"{CODE[submitter]}/mixtral-8x7b/harness_llm/models/mixtral-8x7b/server_{gpu}.yaml"
        for key, (value, line) in settings(mirror, commit, path).items():
            column = KEYS[key]
            if r[column] is not None and r[column] != value:
                sys.exit(f"{r['name']}: {column} {r[column]} in the catalog, {value} in {path}#L{line}")
            cells.append({"name": r["name"], "column": column, "value": value, "repository": REPOSITORY,
                          "commit": commit, "path": path, "line": line,
                          "why": WHY.format(submitter=submitter, gpu=r["hardware"], key=key, value=value)})
    out = pl.DataFrame(cells).sort("name", "column")
    out.write_csv(HERE / "cells.csv")
    return out


if __name__ == "__main__":
    catalog = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent.parent / "measurements.parquet"
    print(main(Path(sys.argv[1]), catalog).group_by("column").len())
