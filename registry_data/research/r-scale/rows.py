"""Predictions of chosen measurement rows at catalog eta, as `mlsys validate` makes them (r-scale README).

Usage: .venv/bin/python registry_data/research/r-scale/rows.py LINE [LINE ...]
(LINE: the row's line as the validation output numbers it, the measurements catalog's row index + 2). The rows
are predicted as one table (``pipeline.validation.predict``), so layouts that fold together fold as in a full run.
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements


def main(lines: list[int]) -> None:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows.filter(pl.col("line").is_in(lines))
    table = errors(rows, predict(rows, catalogs))
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(200)
    pl.Config.set_fmt_str_lengths(70)
    print(table.select("line", "name", "metric", "measured", "predicted", "error_pct").sort("line"))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
