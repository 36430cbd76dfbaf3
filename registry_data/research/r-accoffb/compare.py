"""Compare two ``mlsys validate`` runs on the MLPerf Offline ResNet-50 / RetinaNet / BERT-99 rows (README tables):
samples_per_s median |error| % at catalog eta and leave-one-source-out (cv), the touched rows by model x hardware,
and each touched row's signed error and batch. Diagnosis only; nothing here feeds a catalog.

    .venv/bin/python registry_data/research/r-accoffb/compare.py /tmp/accoffb-val0 /tmp/accoffb-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

MODELS = ("ResNet-50", "RetinaNet", "BERT-Large")


def rows(out: Path) -> pl.DataFrame:
    """The samples_per_s rows of the one validation.parquet under ``out``."""
    found = sorted(out.glob("validation/*/validation.parquet"))
    if len(found) != 1:
        raise SystemExit(f"{out}: {len(found)} validation.parquet files, expected 1")
    return pl.read_parquet(found[0]).filter(pl.col("metric") == "samples_per_s", pl.col("abs_error_pct").is_not_null())


def main(before: Path, after: Path) -> None:
    old, new = rows(before), rows(after)
    med = [pl.col("abs_error_pct").median().round(2).alias("catalog"),
           pl.col("cv_abs_error_pct").median().round(2).alias("cv"), pl.len().alias("rows")]
    print("all samples_per_s, before / after:")
    print(pl.concat([old.select(med), new.select(med)]))
    keys = ["name", "model", "hardware"]
    both = old.select(*keys, "scenario", b0="batch_used", e0="error_pct", c0="cv_error_pct").join(
        new.select("name", b1="batch_used", e1="error_pct", c1="cv_error_pct"), on="name")
    touched = both.filter(pl.col("scenario") == "offline", pl.col("model").is_in(MODELS))
    groups = [("model",), ("model", "hardware")]
    with pl.Config(tbl_rows=80, tbl_width_chars=220, fmt_str_lengths=66):
        for by in groups:
            print(touched.group_by(*by).agg(
                pl.len().alias("rows"), *(pl.col(c).abs().median().round(1) for c in ("e0", "e1", "c0", "c1")))
                  .sort(*by))
        print(touched.select(*keys, "b0", "b1", pl.col("e0", "e1").round(1)).sort("model", "hardware", "name"))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
