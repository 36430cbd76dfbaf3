"""The MLPerf BERT training rows predicted at catalog eta, as `mlsys validate` predicts them (r-bertev README
section 3), for a registry (the bundled one by default).

Usage: .venv/bin/python registry_data/research/r-bertev/errors.py [REGISTRY]
(to compare with the tree before apply.py: a copy of registry_data/ with `git show
af86fb72:registry_data/measurements.parquet` as its measurements). Rows are numbered as the validation output does
(the catalog's row index + 2).
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements


def table(registry: str | None = None) -> pl.DataFrame:
    catalogs = load_catalogs(registry)
    rows = read_measurements(None, catalogs).rows
    rows = rows.filter(pl.col("name").str.starts_with("mlperf-train") & pl.col("name").str.contains("-bert-"))
    return errors(rows, predict(rows, catalogs)).select("line", "name", "measured", "predicted", "error_pct")


if __name__ == "__main__":
    t = table(sys.argv[1] if len(sys.argv) > 1 else None)
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(70)
    print(t.sort("line"))
    print("median |error| %:", round(t["error_pct"].abs().median(), 2), "over", t["error_pct"].is_not_null().sum())
