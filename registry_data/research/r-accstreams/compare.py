"""Compare two ``mlsys validate --out`` runs on the node study's samples_per_s rows (README tables here): the median
|error| % at catalog η and cross-validated over all of them, then per group (model x scenario x hardware) of the rows
whose prediction moved, and each moved row's signed error and batch. Diagnosis only; nothing here feeds a catalog.

    .venv/bin/python registry_data/research/r-accstreams/compare.py /tmp/accstreams-val0 /tmp/accstreams-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "r-accoffb"))
from compare import rows  # noqa: E402  (a sibling research script: the one validation.parquet's samples_per_s rows)

GROUP = ["model", "scenario", "hardware"]


def main(before: Path, after: Path) -> None:
    old, new = rows(before), rows(after)
    med = [pl.col("abs_error_pct").median().round(2).alias("catalog"),
           pl.col("cv_abs_error_pct").median().round(2).alias("cv"), pl.len().alias("rows")]
    print(pl.concat([old.select(med), new.select(med)]))
    keep = ["name", *GROUP, "batch_used", "error_pct", "abs_error_pct", "cv_abs_error_pct"]
    both = old.select(keep).join(new.select(keep), on=["name", *GROUP], suffix="_1")
    moved = both.filter((pl.col("error_pct") - pl.col("error_pct_1")).abs() > 0.05)
    by = moved.group_by(GROUP).agg(pl.len().alias("rows"), *(pl.col(c).median().round(1).alias(a) for c, a in (
        ("abs_error_pct", "e0"), ("abs_error_pct_1", "e1"), ("cv_abs_error_pct", "c0"), ("cv_abs_error_pct_1", "c1"))))
    with pl.Config(tbl_rows=80, tbl_width_chars=200, fmt_str_lengths=70):
        print(by.sort(GROUP))
        print(moved.select("name", "batch_used", "batch_used_1", pl.col("error_pct").round(1).alias("s0"),
                           pl.col("error_pct_1").round(1).alias("s1")).sort("name"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
