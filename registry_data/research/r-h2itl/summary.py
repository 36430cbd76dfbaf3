"""Before / after of two ``rows.py`` outputs: per metric x hardware family x source kind, the rows that moved, their
median |error| and median signed error before and after (%), and the InferenceX DeepSeek-R1 ITL per configuration.

    .venv/bin/python registry_data/research/r-h2itl/summary.py BEFORE.parquet AFTER.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def kind() -> pl.Expr:
    src = pl.col("source_url").fill_null("")
    return (pl.when(pl.col("name").str.starts_with("infx-")).then(pl.lit("InferenceX"))
            .when(src.str.contains("mlcommons|mlperf")).then(pl.lit("MLPerf")).otherwise(pl.lit("other")))


def main(before_path: str, after_path: str) -> None:
    pl.Config.set_tbl_rows(80)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(40)
    keys = ["name", "metric"]
    b = pl.read_parquet(before_path).with_row_index("i")
    a = pl.read_parquet(after_path).with_row_index("i").select("i", *keys, pl.col("error_pct").alias("after"))
    j = b.join(a, on=["i", *keys]).rename({"error_pct": "before"}).with_columns(kind().alias("kind"))
    moved = j.filter((pl.col("after") - pl.col("before")).abs() > 0.05)
    print(moved.group_by("metric", "hardware", "kind").agg(
        pl.len().alias("moved"), pl.col("before").abs().median().round(1).alias("abs_before"),
        pl.col("after").abs().median().round(1).alias("abs_after"), pl.col("before").median().round(1).alias(
            "signed_before"), pl.col("after").median().round(1).alias("signed_after")).sort("metric", "moved",
                                                                                           descending=[False, True]))
    infx = j.filter(pl.col("name").str.starts_with("infx-dsr1-") & (pl.col("metric") == "itl_s"))
    print(infx.group_by("framework", "hardware").agg(
        pl.col("before").median().round(1).alias("signed_before"), pl.col("after").median().round(1).alias(
            "signed_after"), pl.col("before").abs().median().round(1).alias("abs_before"),
        pl.col("after").abs().median().round(1).alias("abs_after")).sort("framework", "hardware"))
    print(j.group_by("metric").agg(pl.col("before").abs().median().round(2).alias("median_abs_before"),
                                   pl.col("after").abs().median().round(2).alias("median_abs_after"),
                                   pl.len()).filter(pl.col("median_abs_before") != pl.col("median_abs_after")))


if __name__ == "__main__":
    main(*sys.argv[1:3])
