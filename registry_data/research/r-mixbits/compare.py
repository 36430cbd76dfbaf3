"""The rows whose prediction moved between two rows.py runs (before / after), and the median |error| of
tokens_per_s, itl_s and ttft_s unrounded. From the repository root:

    .venv/bin/python registry_data/research/r-mixbits/compare.py BEFORE.parquet AFTER.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def main(before_path: str, after_path: str) -> None:
    before, after = pl.read_parquet(before_path), pl.read_parquet(after_path)
    both = before.join(after, on="name", suffix="_after")
    moved = both.filter(((pl.col("predicted") - pl.col("predicted_after")).abs() > 1e-9 * pl.col("predicted").abs())
                        | (pl.col("predicted").is_null() != pl.col("predicted_after").is_null()))
    with pl.Config(tbl_rows=60, fmt_str_lengths=90, tbl_width_chars=250, tbl_formatting="MARKDOWN",
                   tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True):
        print(moved.select("name", "metric", "measured", "predicted", "predicted_after",
                           pl.col("error_pct").round(1).alias("error % before"),
                           pl.col("error_pct_after").round(1).alias("error % after"), "bound", "bound_after"))
    for metric in ("tokens_per_s", "itl_s", "ttft_s"):  # the catalog-wide "all" line: make_baseline's JSON
        rows = [f.filter(pl.col("metric") == metric) for f in (before, after)]
        print(f"{metric}: median |error| {rows[0]['abs_error_pct'].median():.3f} -> "
              f"{rows[1]['abs_error_pct'].median():.3f} % ({rows[0]['predicted'].is_not_null().sum()} -> "
              f"{rows[1]['predicted'].is_not_null().sum()} predicted)")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
