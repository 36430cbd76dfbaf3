"""The measurement rows whose prediction differs between two `python -m pipeline validate --out DIR` runs: each row's
error % before and after, then the median per (framework, model, hardware, metric). Run from the repository root:
.venv/bin/python registry_data/research/r-moemix/moved_rows.py BEFORE_DIR AFTER_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

KEY = ["name", "metric"]


def load(out_dir: str) -> pl.DataFrame:
    """The (newest) validation.parquet under ``out_dir``."""
    path = sorted(Path(out_dir).glob("validation/*/validation.parquet"))[-1]
    return pl.read_parquet(path).select(*KEY, "model", "hardware", "framework", "measured", "predicted", "error_pct")


def moved(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Rows predicted in either run whose prediction is not the same in both."""
    j = before.join(after.select(*KEY, pl.col("predicted").alias("predicted_after"),
                                 pl.col("error_pct").alias("error_after_pct")), on=KEY, how="full", coalesce=True)
    either = pl.col("predicted").is_not_null() | pl.col("predicted_after").is_not_null()
    same = pl.col("predicted").eq_missing(pl.col("predicted_after"))
    return j.filter(either & ~same).sort("framework", "model", "hardware", "metric", "name")


def main(argv: list[str]) -> None:
    rows = moved(load(argv[0]), load(argv[1]))
    pl.Config.set_tbl_rows(500)
    pl.Config.set_tbl_width_chars(200)
    print(f"{rows.height} rows moved")
    print(rows.select("name", "metric", "measured", "predicted", "predicted_after", "error_pct", "error_after_pct"))
    print(rows.group_by("framework", "model", "hardware", "metric", maintain_order=True).agg(
        rows=pl.len(), median_error_pct=pl.col("error_pct").median(),
        median_error_after_pct=pl.col("error_after_pct").median()))


if __name__ == "__main__":
    main(sys.argv[1:])
