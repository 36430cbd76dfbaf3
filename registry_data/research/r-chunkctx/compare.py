"""Compare two ``mlsys validate`` runs at the catalog η: each metric's median |error| and every row whose error
moves by more than a point, closer to or further from its measurement (r-chunkctx/README.md).

    .venv/bin/python registry_data/research/r-chunkctx/compare.py BEFORE/validation.parquet AFTER/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl

METRICS = ("ttft_s", "itl_s", "tokens_per_s")


def main(before: str, after: str) -> None:
    a, b = (pl.read_parquet(p).select("name", "metric", "error_pct", "abs_error_pct") for p in (before, after))
    for metric in METRICS:
        medians = [f.filter(pl.col("metric") == metric)["abs_error_pct"].median() for f in (a, b)]
        print(f"{metric}: median |error| {medians[0]:.2f} -> {medians[1]:.2f} %")
    both = a.join(b, on=["name", "metric"], suffix="_after").with_columns(
        (pl.col("error_pct_after") - pl.col("error_pct")).alias("move"))
    moved = both.filter(pl.col("move").abs() > 1.0).with_columns(
        pl.when(pl.col("abs_error_pct_after") < pl.col("abs_error_pct")).then(pl.lit("closer"))
        .otherwise(pl.lit("further")).alias("way")).sort("metric", "name")
    print(f"{moved.height} rows move > 1 point: {moved.filter(pl.col('way') == 'closer').height} closer")
    for r in moved.iter_rows(named=True):
        print(f"  {r['metric']:<13} {r['name']:<95} {r['error_pct']:+7.1f} -> {r['error_pct_after']:+7.1f} % "
              f"{r['way']}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
