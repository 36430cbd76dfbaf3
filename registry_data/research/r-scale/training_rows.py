"""Every training-study row of the catalog predicted at catalog eta, written to a Parquet file (r-scale README §5).

Usage: .venv/bin/python registry_data/research/r-scale/training_rows.py OUT.parquet
Run once on each tree (e.g. with walls/communication.py of the parent commit, then this one) and compare the
`predicted` columns by `line` to list the rows a change moves.
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements


def main(out: str) -> None:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    rows = rows.filter((pl.col("study") == "training") | (pl.col("trained") == "lora"))
    table = errors(rows, predict(rows, catalogs)).select("line", "name", "metric", "predicted", "error_pct")
    table.write_parquet(out)
    print(f"{table.height} rows -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
