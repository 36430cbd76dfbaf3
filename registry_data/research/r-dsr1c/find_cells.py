"""The layout, runtime token budget and batch cap of each MLPerf Inference v5.1 DeepSeek-R1 row, from its run's own
config (``closed/<submitter>/configs/<system>/<Scenario>/deepseek-r1.py``, the file the row's notes name), one line per
cell into ``cells.csv``:

- every file sets ``llm_fields.tensor_parallelism: 8`` with ``'enable_attention_dp': True`` and
  ``llm_fields.moe_expert_parallelism: 8``: TensorRT-LLM's attention data parallelism (one attention rank per GPU)
  inside expert parallelism 8, which the catalog writes tp 1, ep 8 (as its trtllm-bestperf DeepSeek-R1 rows);
- ``max_num_tokens``: the runtime flag (``trtllm_runtime_flags``; per attention-DP rank);
- ``batch``: the engine's max_batch_size over the replica, 8 x ``gpu_batch_size`` (closed/NVIDIA/code/llmlib/
  config.py: "since max-bs applies per attention-rank"), the column's meaning for a row under load (the engine's
  cap; pipeline.validation.serving_rows.load_axes); an Offline run has every query queued, so its in-flight batch is
  that cap, or the harness's ``max_concurrency`` per endpoint (one endpoint per replica) where it is smaller (GB300
  Offline: 8 x 1536 = 12288 > 10240).

    .venv/bin/python registry_data/research/r-dsr1c/find_cells.py MIRROR_GIT_DIR
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
REPO = "mlcommons/inference_results_v5.1"
CONFIG = r"(closed/\S+/deepseek-r1\.py)"
RANKS = 8  # attention-DP ranks of one replica: tensor_parallelism with enable_attention_dp


def show(mirror: Path, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout


def line(text: str, pattern: str) -> tuple[int, str]:
    """The one line matching ``pattern`` (its number and first group); an error if none or several."""
    hits = [(i, m.group(1)) for i, t in enumerate(text.splitlines(), start=1) if (m := re.search(pattern, t))]
    if len(hits) != 1:
        sys.exit(f"{pattern!r}: {len(hits)} lines match (one expected)")
    return hits[0]


def cells_of(text: str) -> list[tuple[str, int, int, str]]:
    """(column, value, line, why) of one config file."""
    tp_line, tp = line(text, r"llm_fields\.tensor_parallelism:\s*(\d+),")
    ep_line, ep = line(text, r"llm_fields\.moe_expert_parallelism:\s*(\d+),")
    adp_line, adp = line(text, r"'enable_attention_dp':\s*(True|False),")
    if (int(tp), int(ep), adp) != (RANKS, RANKS, "True"):
        sys.exit(f"layout tp {tp} ep {ep} attention DP {adp}: not the one this script states")
    runtime = text.index("trtllm_runtime_flags")
    mnt_line, mnt = line(text[runtime:], r"'max_num_tokens':\s*(\d+),")
    mnt_line += text[:runtime].count("\n")
    bs_line, bs = line(text, r"'deepseek-r1':\s*(\d+),")
    mc_line, mc = line(text, r"'max_concurrency':\s*(\d+),")
    batch = (RANKS * int(bs), bs_line, f"gpu_batch_size {bs} per attention-DP rank x {RANKS} ranks")
    if int(mc) < batch[0]:
        batch = (int(mc), mc_line, f"max_concurrency {mc} per endpoint, below gpu_batch_size {bs} (line {bs_line}) "
                                   f"x {RANKS} attention-DP ranks")
    return [("tp", 1, adp_line, f"tensor_parallelism {tp} (line {tp_line}) with enable_attention_dp: one attention "
                                "rank per GPU"),
            ("ep", int(ep), ep_line, "moe_expert_parallelism"),
            ("max_num_tokens", int(mnt), mnt_line, "trtllm_runtime_flags max_num_tokens (per attention-DP rank)"),
            ("batch", *batch)]


def main(mirror: Path) -> None:
    commit = subprocess.run(["git", "--git-dir", str(mirror), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    m = pl.read_parquet(REGISTRY / "measurements.parquet")
    rows = m.filter(pl.col("name").str.starts_with("mlperf-inf-v5.1-") & (pl.col("model") == "DeepSeek-R1")
                    ).sort("name")
    out = []
    for name, notes in rows.select("name", "notes").iter_rows():
        path = re.search(CONFIG, notes).group(1)
        for column, value, n, why in cells_of(show(mirror, path)):
            out.append([name, column, value, REPO, commit, path, n, why])
    with open(HERE / "cells.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "column", "value", "repository", "commit", "path", "line", "why"])
        w.writerows(out)
    print(len(out), "cells of", rows.height, "rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
