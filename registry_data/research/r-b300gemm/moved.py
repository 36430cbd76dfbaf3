"""Rows whose catalog-eta error moves by more than 0.5 points between two `mlsys validate --out DIR` runs.

Run: .venv/bin/python registry_data/research/r-b300gemm/moved.py BEFORE/validation/<ts> AFTER/validation/<ts>
"""

from __future__ import annotations

import sys

import polars as pl

COLS = ["line", "metric", "model", "hardware", "devices", "scenario", "compute_dtype", "source_url"]


def moved(before: str, after: str, threshold: float = 0.5) -> pl.DataFrame:
    b = pl.read_parquet(f"{before}/validation.parquet").select(*COLS, before="error_pct", cv_before="cv_error_pct")
    a = pl.read_parquet(f"{after}/validation.parquet").select("line", "metric", after="error_pct",
                                                               cv_after="cv_error_pct")
    j = b.join(a, on=["line", "metric"], how="full", coalesce=True)
    gone = pl.col("before").is_not_null() & pl.col("after").is_null()
    new = pl.col("before").is_null() & pl.col("after").is_not_null()
    return j.filter(((pl.col("after") - pl.col("before")).abs() > threshold) | gone | new).with_columns(
        v60=pl.col("source_url").str.contains("inference_results_v6.0")).sort("hardware", "metric", "line")


if __name__ == "__main__":
    m = moved(sys.argv[1], sys.argv[2])
    with pl.Config(tbl_rows=300, tbl_cols=12, tbl_width_chars=250, fmt_str_lengths=40, float_precision=1):
        print(m.drop("source_url"))
        print(m.group_by("hardware", "metric").agg(
            pl.len(), pl.col("before").abs().median().alias("med_abs_before"),
            pl.col("after").abs().median().alias("med_abs_after")).sort("hardware"))
