"""Two `mlsys validate --out DIR` runs compared: per metric the rows and median |error| at catalog eta, then every row
whose error moved by more than 0.05 points (before -> after, signed %). Diagnosis only.

    .venv/bin/python registry_data/research/r-mbfp8/medians.py BEFORE_DIR AFTER_DIR
"""

from __future__ import annotations

import glob
import sys

import polars as pl


def load(folder: str) -> pl.DataFrame:
    path = sorted(glob.glob(f"{folder}/validation/*/validation.parquet"))[-1]
    return pl.read_parquet(path).filter(pl.col("error_pct").is_not_null())


def main(before: str, after: str) -> None:
    a, b = load(before), load(after)
    for frame, label in ((a, "before"), (b, "after")):
        print(label, frame.group_by("metric").agg(pl.len(), median=pl.col("error_pct").abs().median().round(2))
              .sort("metric").rows())
    j = a.select("name", "metric", e0="error_pct").join(b.select("name", "metric", e1="error_pct"),
                                                        on=["name", "metric"])
    moved = j.filter((pl.col("e1") - pl.col("e0")).abs() > 0.05).with_columns(pl.col("e0", "e1").round(1))
    with pl.Config(tbl_rows=200, tbl_width_chars=250, fmt_str_lengths=90):
        print(moved.sort("metric", "name"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
