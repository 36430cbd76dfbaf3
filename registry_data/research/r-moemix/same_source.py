"""The TensorRT-LLM v0.17 perf-overview throughput rows (trtllm-bench, one source, one method) by model, hardware
and TP: rows, the validation's median batch_used and median error at the catalog's eta. Mixtral 8x7B's MoE-specific
over-prediction is its error above Mistral 7B v0.1 (its attention) and Llama 3.1 70B (dense at the same TP). Reads
the newest validation.parquet under DIR (from ``python -m pipeline validate --out DIR``). Run from the repository
root: .venv/bin/python -m pipeline validate --out /tmp/v
      .venv/bin/python registry_data/research/r-moemix/same_source.py /tmp/v
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl


def rows(out_dir: str) -> pl.DataFrame:
    found = sorted(Path(out_dir).glob("validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"{out_dir}: no validation/*/validation.parquet (run `python -m pipeline validate --out`)")
    return pl.read_parquet(found[-1]).filter(pl.col("name").str.starts_with("trtllm-0.17-"))


def table(perf: pl.DataFrame) -> pl.DataFrame:
    return perf.group_by("model", "hardware", "tp").agg(
        rows=pl.len(), batch=pl.col("batch_used").median(), median_error_pct=pl.col("error_pct").median().round(1),
    ).sort("model", "hardware", "tp")


def main() -> None:
    with pl.Config(tbl_rows=100, tbl_width_chars=160):
        perf = rows(sys.argv[1] if len(sys.argv) > 1 else "/tmp/v")
        print(table(perf))
        print(perf.group_by("model").agg(rows=pl.len(), median_error_pct=pl.col("error_pct").median().round(1))
              .sort("model"))


if __name__ == "__main__":
    main()
