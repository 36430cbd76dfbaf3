"""TensorRT-LLM perf-overview and MLPerf rows of one family by request shape: decode-heavy (output >= 4 x prompt),
prefill-heavy (prompt >= 4 x output), balanced; MLPerf rows by scenario (issue 12, hwerr).

Usage: python registry_data/research/r-hwerr/by_shape.py VALIDATION_PARQUET [HARDWARE_REGEX]
"""

import sys

import polars as pl
from groups import rows


def shapes(path: str, pattern: str) -> pl.DataFrame:
    frame = rows(path, pattern).with_columns(kind=pl.when(pl.col("name").str.contains("perf-overview")).then(
        pl.when(pl.col("output_len") >= 4 * pl.col("prompt_len")).then(pl.lit("perf-overview decode-heavy"))
        .when(pl.col("prompt_len") >= 4 * pl.col("output_len")).then(pl.lit("perf-overview prefill-heavy"))
        .otherwise(pl.lit("perf-overview balanced"))).otherwise(pl.concat_str(pl.col("name").str.slice(0, 15),
                                                                               pl.lit(" "), pl.col("scenario"),
                                                                               pl.lit(" "), pl.col("metric"))))
    return frame.group_by("kind").agg(n=pl.len(), fast_median=pl.col("fast_pct").median().round(1),
                                      abs_median=pl.col("abs_error_pct").median().round(1)).sort("kind")


if __name__ == "__main__":
    pl.Config.set_tbl_rows(60)
    pl.Config.set_fmt_str_lengths(60)
    print(shapes(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "B200|GB200"))
