"""Every validation row whose error moved between two ``mlsys validate`` runs (catalog η), by how much, and each
metric's median |error| (r-cfgs/README.md); rows predicted in one run only are listed too.

    .venv/bin/python registry_data/research/r-cfgs/compare.py BEFORE/validation.parquet AFTER/validation.parquet [MIN]

MIN: the smallest move listed, in points (default 0.05).
"""

from __future__ import annotations

import sys

import polars as pl


def main(before: str, after: str, least: float = 0.05) -> None:
    a, b = (pl.read_parquet(p).select("name", "metric", "error_pct", "abs_error_pct") for p in (before, after))
    for metric in sorted(set(a["metric"]) | set(b["metric"])):
        m = [f.filter(pl.col("metric") == metric)["abs_error_pct"] for f in (a, b)]
        if m[0].median() != m[1].median() or m[0].len() != m[1].len():
            print(f"{metric}: median |error| {m[0].median():.2f} -> {m[1].median():.2f} % ({m[0].len()} -> "
                  f"{m[1].len()} rows)")
    both = a.join(b, on=["name", "metric"], how="full", suffix="_after", coalesce=True).with_columns(
        (pl.col("error_pct_after") - pl.col("error_pct")).alias("move"))
    only = both.filter(pl.col("error_pct").is_null() != pl.col("error_pct_after").is_null())
    moved = both.filter(pl.col("move").abs() > least).with_columns(
        pl.when(pl.col("abs_error_pct_after") < pl.col("abs_error_pct")).then(pl.lit("closer"))
        .otherwise(pl.lit("further")).alias("way")).sort("metric", "name")
    print(f"{moved.height} rows move > {least} point: {moved.filter(pl.col('way') == 'closer').height} closer, "
          f"{moved.filter(pl.col('way') == 'further').height} further; {only.height} predicted in one run only")
    for r in moved.iter_rows(named=True):
        print(f"  {r['metric']:<13} {r['name']:<100} {r['error_pct']:+7.1f} -> {r['error_pct_after']:+7.1f} % "
              f"({r['move']:+.1f}, {r['way']})")
    for r in only.iter_rows(named=True):
        print(f"  {r['metric']:<13} {r['name']:<100} {r['error_pct']} -> {r['error_pct_after']} (one run only)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.05)
