"""Replay patches.csv onto the measurements catalog: ``kv_read_per_query_head`` = true on the Llama 2 70B rows of
TensorRT-LLM's v0.6.1 H100 FP8 throughput table (README.md: its masked-MHA generation kernel streams each K/V head
once per query head; XQA came with 0.7.0). GPT-J 6B and Llama 2 7B are multi-head (one query head per K/V head):
the flag would change nothing, so they keep null. r-feas's replay procedure, the column added as nulls first when
missing; a second run changes nothing. Run from the repository root:

    .venv/bin/python registry_data/research/r-tpsdev/apply.py
"""

from __future__ import annotations

import runpy
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent


def apply(registry: Path = HERE.parent.parent) -> int:
    """r-feas's replay of this directory's patches.csv, the column added first."""
    replay = runpy.run_path(str(HERE.parent / "r-feas" / "apply.py"))["apply"]
    return replay(registry, HERE, {"kv_read_per_query_head": pl.Boolean})


if __name__ == "__main__":
    print(apply(), "patches")
