"""The rows whose prediction moved between two row_errors.py outputs, and per (model, hardware, metric) the count:

    .venv/bin/python registry_data/research/r-fp8attn/compare.py BEFORE.parquet AFTER.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def main(before: str, after: str) -> None:
    b, a = pl.read_parquet(before), pl.read_parquet(after)
    both = b.join(a.select("name", "metric", "predicted", "error_pct", "bound"), on=["name", "metric"], how="full",
                  suffix="_after", coalesce=True)
    moved = both.filter((pl.col("predicted") - pl.col("predicted_after")).abs() > 1e-9 * pl.col("predicted").abs())
    pl.Config.set_tbl_rows(200)
    pl.Config.set_tbl_width_chars(220)
    pl.Config.set_fmt_str_lengths(60)
    print(f"rows moved: {moved.height} of {both.height}")
    print(moved.group_by("model", "hardware", "compute_dtype", "metric").agg(
        rows=pl.len(), before=pl.col("abs_error_pct").median().round(1),
        after=pl.col("error_pct_after").abs().median().round(1)).sort("model", "hardware", "metric"))
    r1 = moved.filter(pl.col("model") == "DeepSeek-R1").sort("metric", "hardware", "name")
    print(r1.select(pl.col("name").str.slice(16, 30), "scenario", "metric", "measured",
                    pl.col("error_pct").round(1).alias("before %"), pl.col("error_pct_after").round(1).alias("after %"),
                    "bound", "bound_after", "batch_used"))


if __name__ == "__main__":
    main(*sys.argv[1:3])
