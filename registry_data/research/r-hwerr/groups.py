"""Signed errors of one accelerator family's rows, grouped (issue 12, hwerr).

Usage: python registry_data/research/r-hwerr/groups.py VALIDATION_PARQUET [HARDWARE_REGEX ...]

`error_pct` is predicted against measured; `fast_pct` turns it into "+ = the model is too fast" (a time metric's
sign flipped), so a latency row and a throughput row read the same way.
"""

import sys

import polars as pl

TIME_METRICS = ("ttft_s", "itl_s", "latency_s", "step_time_s", "gemm_time_s", "attention_time_s", "collective_time_s")
KEYS = (["source"], ["metric"], ["compute_dtype"], ["framework"], ["bound"], ["model"], ["tp"], ["scenario"])


def rows(path: str, pattern: str) -> pl.DataFrame:
    frame = pl.read_parquet(path).filter(pl.col("hardware").str.contains(pattern) & pl.col("error_pct").is_not_null())
    sign = pl.when(pl.col("metric").is_in(TIME_METRICS)).then(-1.0).otherwise(1.0)
    return frame.with_columns(
        fast_pct=pl.col("error_pct") * sign,
        source=pl.col("source_url").str.replace(r"^https?://(www\.)?", "").str.slice(0, 60),
    )


def summary(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (
        frame.group_by(keys)
        .agg(
            n=pl.len(),
            fast_median=pl.col("fast_pct").median().round(1),
            abs_median=pl.col("abs_error_pct").median().round(1),
            fast_min=pl.col("fast_pct").min().round(1),
            fast_max=pl.col("fast_pct").max().round(1),
        )
        .sort("n", descending=True)
    )


def main() -> None:
    path, patterns = sys.argv[1], sys.argv[2:] or ["B200", "GB200", "MI300X", "H100 NVL", "^L4$"]
    pl.Config.set_tbl_rows(60)
    pl.Config.set_fmt_str_lengths(60)
    pl.Config.set_tbl_width_chars(200)
    for pattern in patterns:
        frame = rows(path, pattern)
        print(f"\n=== {pattern}: {frame.height} rows, median |err| {frame['abs_error_pct'].median():.1f} %, "
              f"median fast {frame['fast_pct'].median():+.1f} %")
        for keys in KEYS:
            print(summary(frame, list(keys)))


if __name__ == "__main__":
    main()
