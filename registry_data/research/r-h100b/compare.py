"""Two validation runs side by side: per metric the catalog-eta median |error| (as make_baseline's ``catalog``) and
the rows whose prediction moved, summarised per hardware x study x metric (median signed error before / after).

    .venv/bin/python registry_data/research/r-h100b/compare.py RUN_BEFORE RUN_AFTER
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.validation.accuracy import catalog_eta_summary


def table(run: str) -> pl.DataFrame:
    found = sorted(Path(run).glob("validation/*/validation.parquet"))
    if not found:
        raise SystemExit(f"no validation/*/validation.parquet under {run}")
    return pl.read_parquet(found[-1])


def main(before: str, after: str) -> None:
    a, b = table(before), table(after)
    s = catalog_eta_summary(a).select("metric", "predicted", before=pl.col("median_abs_error").round(2)).join(
        catalog_eta_summary(b).select("metric", pl.col("predicted").alias("predicted_after"),
                                      after=pl.col("median_abs_error").round(2)), on="metric", how="full")
    moved = a.select("line", "hardware", "study", "metric", "error_pct").join(
        b.select("line", pl.col("error_pct").alias("error_after")), on="line").filter(
        (pl.col("error_pct") - pl.col("error_after")).abs() > 1e-6)
    with pl.Config(tbl_rows=200, tbl_width_chars=200, fmt_str_lengths=40):
        print(s.filter(pl.col("before") != pl.col("after")))
        print(f"{moved.height} rows moved")
        print(moved.group_by("hardware", "study", "metric").agg(
            pl.len(), pl.col("error_pct").median().round(1).alias("median_before"),
            pl.col("error_after").median().round(1).alias("median_after"),
            pl.col("error_pct").abs().median().round(1).alias("abs_before"),
            pl.col("error_after").abs().median().round(1).alias("abs_after")).sort("hardware", "study", "metric"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
