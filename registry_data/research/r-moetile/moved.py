"""Rows whose error moved between two runs of tile_whatif.py rows (before.parquet after.parquet): per (model,
framework, hardware, metric) the rows, the median signed and absolute error before / after; then every row of
the SGLang H200 DeepSeek-R1 rows. Run: .venv/bin/python registry_data/research/r-moetile/moved.py A B"""

from __future__ import annotations

import sys

import polars as pl

KEY = ["name", "metric"]


def main() -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(250)
    a, b = (pl.read_parquet(p).select(*KEY, "model", "framework", "hardware", "concurrency", "prompt_len",
                                      "output_len", "measured", "error_pct", "abs_error_pct") for p in sys.argv[1:3])
    j = a.join(b.select(*KEY, pl.col("error_pct").alias("after"), pl.col("abs_error_pct").alias("abs_after")),
               on=KEY, how="full", coalesce=True)
    moved = j.filter((pl.col("after") - pl.col("error_pct")).abs() > 0.5)
    print(f"rows moved > 0.5 points: {moved.height}; predicted before {a['error_pct'].is_not_null().sum()}, "
          f"after {b['error_pct'].is_not_null().sum()}")
    print(moved.group_by("model", "framework", "hardware", "metric").agg(
        rows=pl.len(), signed=pl.col("error_pct").median().round(1), signed_after=pl.col("after").median().round(1),
        abs=pl.col("abs_error_pct").median().round(1), abs_after=pl.col("abs_after").median().round(1),
        better=(pl.col("abs_after") < pl.col("abs_error_pct")).sum()).sort("model", "framework", "hardware", "metric"))
    sel = j.filter((pl.col("framework") == "SGLang") & (pl.col("hardware") == "H200 SXM 141GB"))
    print(sel.sort("metric", "prompt_len", "output_len", "concurrency").select(
        "metric", "prompt_len", "output_len", "concurrency", "measured", pl.col("error_pct").round(1),
        pl.col("after").round(1)))


if __name__ == "__main__":
    main()
