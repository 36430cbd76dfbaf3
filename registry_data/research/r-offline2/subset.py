"""A subset of the measurements catalog as a CSV for `mlsys validate --measured`, with columns overridden (a what-if on
the rows, not a catalog change):

    python registry_data/research/r-offline2/subset.py OUT.csv NAME_REGEX [col=int|null ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog

REGISTRY = Path(__file__).parents[2]


def main(out: str, pattern: str, *settings: str) -> None:
    rows = read_catalog("measurements", REGISTRY).filter(pl.col("name").str.contains(pattern))
    for setting in settings:
        column, value = setting.split("=")
        stated = pl.lit(None if value == "null" else int(value)).cast(rows.schema[column])
        rows = rows.with_columns(stated.alias(column))
    rows.write_csv(out)
    print(rows.height, "rows")


if __name__ == "__main__":
    main(*sys.argv[1:])
