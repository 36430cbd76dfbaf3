"""The RTX PRO 6000 Blackwell Server Edition rows of one or two validation runs (validation.parquet), side by side:
measured, predicted, signed error, the batch the prediction used, its bound, tp and pp.

    .venv/bin/python registry_data/research/r-rtxpro/rows.py BEFORE/validation.parquet [AFTER/validation.parquet]
"""

from __future__ import annotations

import sys

import polars as pl

HARDWARE = "RTX PRO 6000 Blackwell Server Edition"
PREFIX = "mlperf-inf-v5.1-hpe-hpe-proliant-dl380a-rtx-pro-6000-pcie-96gbx8-trt-trt-"
COLUMNS = ("measured", "predicted", "error_pct", "batch_used", "bound", "tp", "pp")


def rows(path: str) -> pl.DataFrame:
    """The card's rows of one run, their names shortened to the benchmark and scenario."""
    return (pl.read_parquet(path).filter(pl.col("hardware") == HARDWARE)
            .select(pl.col("name").str.replace(PREFIX, "", literal=True), "metric", *COLUMNS).sort("name"))


if __name__ == "__main__":
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_tbl_cols(20)
    before = rows(sys.argv[1])
    if len(sys.argv) > 2:
        after = rows(sys.argv[2]).select("name", *(pl.col(c).alias(f"{c}_after") for c in COLUMNS[1:5]))
        before = before.join(after, on="name", how="left")
    print(before)
