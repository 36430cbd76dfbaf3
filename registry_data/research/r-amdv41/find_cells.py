"""The vLLM engine settings of the MLPerf Inference v4.1 AMD MI300X Llama 2 70B (99 %) rows (1x and 8x MI300X,
Offline and Server; names ``mlperf-inf-v4.1-amd-*``), from AMD's own harness in mlcommons/inference_results_v4.1,
read statically (regular expressions on the text; nothing of the submission is run).

Each system's ``measurements/<system>/llama2-70b-99/<Scenario>/README.md`` runs the scripts of
``closed/AMD/code/llama2-70b-99.9/test_VllmFp8`` (the ``-99`` folder is a byte-identical copy); the Server scenario
runs ``test_VllmFp8_SyncServer_perf.sh`` (``run_tests_Server.sh``), the Offline one ``test_VllmFp8_Offline_perf.sh``.
Neither script passes ``--max-num-seqs`` or ``--max-num-batched-tokens``, so the values in effect are the python
entry point's: ``setup_llm_kwargs`` takes the argparse value when it is truthy, else its ``DefaultEngineInput``
field. SyncServer's argparse defaults (1024 sequences, 49152 tokens) are truthy, so they override its dataclass's 768 /
65536; Offline's argparse defaults are None, so its dataclass's 2048 / 65536 apply. Each worker process sets
``tensor_parallel_size = 1`` itself (sync_server.py / SUTVllm.py), whatever ``-tp`` says.

Cells (as r-amdcfg's): ``max_num_seqs`` -> ``batch`` (Server only: on Offline rows the column is the one batch the
run ran, and vLLM admits sequences only while KV blocks remain, so the 2048 cap is not it), ``max_num_batched_tokens``
-> ``max_num_tokens``, ``tensor_parallel_size`` -> ``tp``. vLLM 0.4.3 has no multi-step scheduling, so
``scheduler_steps`` is 1, which the catalog leaves unstated. Writes cells.csv (replayed by ``apply.py``); stops where a
file does not say what this reading expects, or where a cell the catalog already states disagrees.

    .venv/bin/python registry_data/research/r-amdv41/find_cells.py V41_MIRROR [CATALOG]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REPOSITORY = "mlcommons/inference_results_v4.1"
CODE = "closed/AMD/code/llama2-70b-99.9"  # the folder the measurements READMEs and the scripts name
PREFIX = "mlperf-inf-v4.1-amd-"
# scenario -> (the perf script, the python entry point, the worker that builds the engine)
FILES = {"server": ("test_VllmFp8/test_VllmFp8_SyncServer_perf.sh", "VllmFp8/mainVllmFp8_SyncServer.py",
                    "VllmFp8/sync_server.py"),
         "offline": ("test_VllmFp8/test_VllmFp8_Offline_perf.sh", "VllmFp8/mainVllmFp8_Offline.py",
                     "VllmFp8/SUTVllm.py")}
KEYS = {"max_num_seqs": "batch", "max_num_batched_tokens": "max_num_tokens"}


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True, text=True).stdout


def line_of(text: str, pattern: str, path: str) -> tuple[str, int]:
    """The first group of the one line of ``text`` matching ``pattern``, and that line's 1-based number."""
    hits = [(m.group(1), i) for i, t in enumerate(text.splitlines(), 1) if (m := re.search(pattern, t))]
    if len(hits) != 1:
        sys.exit(f"{path}: {len(hits)} lines match {pattern!r}, expected one")
    return hits[0]


def settings(mirror: Path, commit: str, scenario: str) -> dict[str, tuple[int, str, int, str]]:
    """column -> (value, path, 1-based line, why) of the engine settings a scenario's run used."""
    script, entry, worker = (f"{CODE}/{f}" for f in FILES[scenario])
    shell = git(mirror, "show", f"{commit}:{script}")
    if "--max-num-seqs" in shell or "--max-num-batched-tokens" in shell:
        sys.exit(f"{script} passes an engine cap; this reading takes the entry point's defaults")
    main = git(mirror, "show", f"{commit}:{entry}")
    found = {}
    for key, column in KEYS.items():
        flag = key.replace("_", "-")
        default, at = line_of(main, rf'"--{flag}", type=int, default=(\w+),', entry)
        field, field_at = line_of(main, rf"^\s+{key}\s*:\s*int\s*=\s*(\d+)", entry)
        if default != "None":  # setup_llm_kwargs: the argparse value when truthy, else the dataclass field
            found[column] = (int(default), entry, at, f"AMD v4.1 {scenario} harness, {entry.rsplit('/', 1)[1]}: "
                             f"argparse '--{flag}' default {default} (not passed by {script.rsplit('/', 1)[1]}), "
                             f"overriding DefaultEngineInput's {field} (L{field_at})")
        else:
            found[column] = (int(field), entry, field_at, f"AMD v4.1 {scenario} harness, {entry.rsplit('/', 1)[1]}: "
                             f"DefaultEngineInput '{key}: {field}' (argparse '--{flag}' default None, not passed by "
                             f"{script.rsplit('/', 1)[1]})")
    tp, at = line_of(git(mirror, "show", f"{commit}:{worker}"), r'llm_kwargs\["tensor_parallel_size"\] = (\d+)', worker)
    found["tp"] = (int(tp), worker, at, f"AMD v4.1 {scenario} harness, {worker.rsplit('/', 1)[1]}: each worker's "
                   f"engine 'tensor_parallel_size = {tp}'")
    return found


def main(mirror: Path, catalog: Path) -> pl.DataFrame:
    commit = git(mirror, "rev-parse", "HEAD").strip()
    if git(mirror, "diff", "--stat", f"{commit}:{CODE}", f"{commit}:{CODE.removesuffix('.9')}").strip():
        sys.exit(f"{CODE} and its -99 copy differ; say which one each run used")
    rows = pl.read_parquet(catalog).filter(pl.col("name").str.starts_with(PREFIX))
    cells = []
    for r in rows.iter_rows(named=True):
        for column, (value, path, line, why) in settings(mirror, commit, r["scenario"]).items():
            if column == "batch" and r["scenario"] == "offline":
                continue  # max_num_seqs is a cap the KV cache binds first offline; the catalog's batch is the run's
            if r[column] is not None and r[column] != value:
                sys.exit(f"{r['name']}: {column} {r[column]} in the catalog, {value} in {path}#L{line}")
            cells.append({"name": r["name"], "column": column, "value": value, "repository": REPOSITORY,
                          "commit": commit, "path": path, "line": line, "why": why})
    out = pl.DataFrame(cells).sort("name", "column")
    out.write_csv(HERE / "cells.csv")
    return out


if __name__ == "__main__":
    catalog = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent.parent / "measurements.parquet"
    print(main(Path(sys.argv[1]), catalog).group_by("column").len())
