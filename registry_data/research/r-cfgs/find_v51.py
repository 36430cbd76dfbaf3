"""The runtime token budget and layout of each v5.1 TensorRT-LLM MLPerf Inference row still unstated, from the
run's own dict-style config (r-chunkctx's reader, ``r-chunkctx/configs.py``: the Custom (Triton for a ``_Triton``
system) / 99 % / MaxP setting of ``closed/<submitter>/configs/<system>/<Scenario>/<benchmark>.py``, the system
folder with or without its ``_TRT`` suffix), one line per cell into ``v51_cells.csv``. Only null cells are written.

    .venv/bin/python registry_data/research/r-cfgs/find_v51.py MIRROR_GIT_DIR [CATALOG]

CATALOG: the measurements parquet the cells are found on, the catalog before apply.py replayed them (a cell is
written only where that catalog leaves it null): git show e7eaeb46:registry_data/measurements.parquet > BEFORE
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "r-chunkctx"))
from configs import budget, exports, flag, line_of, show  # noqa: E402

REPO = "mlcommons/inference_results_v5.1"
BENCHMARKS = {"llama2-70b-99": "llama2-70b", "llama2-70b-99.9": "llama2-70b", "llama3.1-405b": "llama3_1-405b",
              "llama3_1-405b": "llama3_1-405b", "llama3.1-8b": "llama3_1-8b", "mixtral-8x7b": "mixtral-8x7b",
              "llama2-70b-interactive-99": "llama2-70b", "llama3.1-405b-interactive": "llama3_1-405b",
              "llama3.1-8b-interactive": "llama3_1-8b"}
SUFFIX = r"-(ttft-p50|tpot-mean|singlestream-p90)$"
PARTS = r"closed/(?<sub>[^/]+)/results/(?<sys>[^/]+)/(?<bench>[^/]+)/(?<scen>[^/]+)/"
LAYOUT = {"tp": "tensor_parallelism", "pp": "pipeline_parallelism"}


def rows(catalog: Path) -> pl.DataFrame:
    m = pl.read_parquet(catalog)
    return (m.filter(pl.col("name").str.starts_with("mlperf-inf-v5.1-") & (pl.col("framework") == "TensorRT-LLM")
                     & pl.any_horizontal(pl.col("max_num_tokens", "tp", "pp").is_null()))
            .with_columns(pl.col("source_url").str.extract_groups(PARTS).alias("g")).unnest("g").sort("name"))


def line_of_field(text: str, key: str, value: int) -> int | None:
    """The first line ``llm_fields.<key>: value`` (every setting of the files read states it alike)."""
    for i, line in enumerate(text.splitlines(), start=1):
        if re.search(rf"\.{key}\s*:\s*{value}\b", line):
            return i
    return None


def field_value(setting: dict, key: str):
    return next((v for k, v in setting.items() if str(k).split(".")[-1] == key), None)


def main(mirror: Path, catalog: Path) -> None:
    commit = subprocess.run(["git", "--git-dir", str(mirror), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    tree = set(subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "-r", "--name-only", "HEAD", "closed"],
                              capture_output=True, text=True, check=True).stdout.splitlines())
    cells, missing = [], []
    for r in rows(catalog).iter_rows(named=True):
        bench = BENCHMARKS.get(r["bench"] or "")
        scen = r["scen"]
        paths = [f"closed/{r['sub']}/configs/{s}/{scen}/{bench}.py"
                 for s in (r["sys"] or "", (r["sys"] or "").removesuffix("_TRT"))]
        path = next((p for p in paths if p in tree), None)
        if bench is None or path is None:
            missing.append((r["name"], f"no config {paths[-1]}"))
            continue
        text = show(mirror, path)
        harness = "Triton" if "_Triton" in r["sys"] else "Custom"
        setting = next((s for key, s in exports(text).items()
                        if str(key[1]).endswith(f".{harness}") and key[2][1] == 0.99 and str(key[3]).endswith(".MaxP")),
                       None)
        if setting is None:
            missing.append((r["name"], f"no {harness}/99/MaxP setting in {path}"))
            continue
        found = {}
        value, group = budget(setting)
        if value is not None:
            chunked = flag(setting, "trtllm_runtime_flags", "enable_chunked_context")
            found["max_num_tokens"] = (value, line_of(text, group, value),
                                       f"{group}; enable_chunked_context {chunked}")
        for column, key in LAYOUT.items():
            v = field_value(setting, key)
            if v is not None:
                found[column] = (int(v), line_of_field(text, key, int(v)), f"llm_fields.{key}")
        for column, (v, line, note) in found.items():
            if r[column] is None:
                cells.append({"name": r["name"], "column": column, "value": v, "repository": REPO, "commit": commit,
                              "path": path, "line": line, "class": f"{harness}/99/MaxP", "defined_in": "",
                              "current": None, "note": note})
            elif r[column] != v:
                missing.append((r["name"], f"{column} stated {r[column]}, config {v} ({path}#L{line}): kept"))
    fields = ["name", "column", "value", "repository", "commit", "path", "line", "class", "defined_in", "current",
              "note"]
    with open(HERE / "v51_cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(cells)
    with open(HERE / "v51_unresolved.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "why"])
        w.writerows(missing)
    print(f"{len(cells)} cells of {len({c['name'] for c in cells})} rows; {len(missing)} rows with a note")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else REGISTRY / "measurements.parquet")
