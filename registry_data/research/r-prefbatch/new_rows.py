"""Rows predicted after and not before (two ``mlsys validate`` runs), their errors, and each latency metric's median
|error| over all rows and over the rows both runs predict (r-prefbatch/README.md).

    .venv/bin/python registry_data/research/r-prefbatch/new_rows.py BEFORE/validation.parquet AFTER/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def main(before: str, after: str) -> None:
    a, b = (pl.read_parquet(p).filter(pl.col("predicted").is_not_null()).select("name", "metric", "error_pct")
            for p in (before, after))
    for metric in ("ttft_s", "itl_s", "tokens_per_s"):
        x, y = a.filter(pl.col("metric") == metric), b.filter(pl.col("metric") == metric)
        common = x.join(y, on=["name", "metric"], suffix="_after")
        print(f"{metric}: all {x['error_pct'].abs().median():.2f} -> {y['error_pct'].abs().median():.2f} % "
              f"({x.height} -> {y.height} rows); common rows ({common.height}) "
              f"{common['error_pct'].abs().median():.2f} -> {common['error_pct_after'].abs().median():.2f} %")
    new = b.join(a, on=["name", "metric"], how="anti").sort("metric", "name")
    print(f"{new.height} rows newly predicted:")
    for r in new.iter_rows(named=True):
        print(f"  {r['metric']:8s} {r['name']:100s} {r['error_pct']:+7.1f} %")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
