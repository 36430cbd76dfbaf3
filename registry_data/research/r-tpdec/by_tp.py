"""Perf-overview tokens_per_s rows on NVLink (not L40S) of a model, accelerator, dtype and lengths measured at more
than one tp: median signed error and batch by (model, accelerator, tp). Run from the repository root:

    .venv/bin/python -m pipeline validate --out DIR
    .venv/bin/python registry_data/research/r-tpdec/by_tp.py DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

KEYS = ["model", "hardware", "compute_dtype", "prompt_len", "output_len"]


def main(run: Path) -> None:
    rows = pl.read_parquet(next(run.glob("validation/*/validation.parquet"))).filter(
        pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("TensorRT-LLM"),
        pl.col("source_url").str.contains("perf-overview"), pl.col("hardware") != "L40S")
    several = rows.group_by(KEYS).agg(tps=pl.col("tp").n_unique()).filter(pl.col("tps") > 1)
    pl.Config.set_tbl_rows(60)
    print(rows.join(several, on=KEYS).group_by("model", "hardware", "tp")
          .agg(n=pl.len(), median_error_pct=pl.col("error_pct").median(), median_batch=pl.col("batch_used").median())
          .sort("model", "hardware", "tp"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
