"""The rows whose |error| moved more than 0.5 points between two runs of registry_data/research/r-mixbits/rows.py
(before: the bundled registry; after: a copy with apply.py run on it), grouped by metric / model / hardware /
scenario, written as CSV. From the repository root:

    .venv/bin/python registry_data/research/r-fp4scale/compare.py BEFORE.parquet AFTER.parquet OUT.csv
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.io import read_catalog

KEYS = ["metric", "model", "hardware", "scenario", "compute_dtype", "weight_dtype", "kv_dtype"]


def moved(before: pl.DataFrame, after: pl.DataFrame, rows: pl.DataFrame, points: float = 0.5) -> pl.DataFrame:
    both = before.join(after, on=["name", "metric"], suffix="_after").join(
        rows.select("name", *KEYS[1:]), on="name", how="left")
    both = both.with_columns(change=pl.col("abs_error_pct_after") - pl.col("abs_error_pct"))
    return (both.filter(pl.col("change").abs() > points).group_by(KEYS)
            .agg(rows=pl.len(), error_before=pl.col("error_pct").median().round(1),
                 error_after=pl.col("error_pct_after").median().round(1),
                 abs_change_median=pl.col("change").median().round(2),
                 better=(pl.col("change") < 0).sum(), worse=(pl.col("change") > 0).sum())
            .sort(KEYS))


if __name__ == "__main__":
    table = moved(pl.read_parquet(sys.argv[1]), pl.read_parquet(sys.argv[2]), read_catalog("measurements"))
    table.write_csv(sys.argv[3])
    with pl.Config(tbl_rows=100, tbl_width_chars=200, fmt_str_lengths=40):
        print(table)
    print("rows moved:", table["rows"].sum(), "better:", table["better"].sum(), "worse:", table["worse"].sum())
