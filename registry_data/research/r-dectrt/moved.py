"""Rows whose error moved more than 0.05 points between two validation runs (any source), how many got nearer, and
per metric and framework the median error before and after. Run from the repository root:

    .venv/bin/python registry_data/research/r-dectrt/moved.py BEFORE_DIR AFTER_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

KEYS = ["line", "metric"]


def errors(run: Path) -> pl.DataFrame:
    frame = pl.read_parquet(next(run.glob("validation/*/validation.parquet")))
    return frame.select(*KEYS, "framework", "error_pct")


def main(before: Path, after: Path) -> None:
    joined = errors(before).join(errors(after).drop("framework"), on=KEYS, suffix="_after", nulls_equal=True)
    moved = joined.filter((pl.col("error_pct") - pl.col("error_pct_after")).abs() > 0.05).with_columns(
        nearer=pl.col("error_pct_after").abs() < pl.col("error_pct").abs())
    print(f"{moved.height} rows moved, {moved['nearer'].sum()} nearer")
    pl.Config.set_tbl_rows(40)
    print(moved.group_by("metric", "framework").agg(n=pl.len(), before=pl.col("error_pct").median(),
                                                    after=pl.col("error_pct_after").median())
          .sort("n", descending=True))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
