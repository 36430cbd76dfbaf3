"""Replay the memory helper's row corrections (issue 12 item 1) onto the bundled catalogs.

``patches.csv``: one cell per line, ``table,name,column,value,source``: the catalog table, the row's
``name``, the column, the new value (as text, cast to the column's type; empty = null) and the
source that states it. A column the table lacks (``measurements.ep``, ``measurements.trained``) is
added as nulls first (the schema orders the columns). The table is validated and written with its
units by ``pipeline.catalogs.io.write_catalog``. The source is appended to the row's ``notes``
once, so running this again changes nothing. ``<table>_add.csv`` (``clusters_add.csv``;
``measurements_add.csv``: configurations published as out of memory, metrics oom_training /
oom_serving) holds whole rows to add, each with its own provenance; a row whose name exists is left
alone. Run from the repository root:

    .venv/bin/python registry_data/research/r-memory/apply.py

It exits with an error naming the patch when a row or column is missing.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"measurements": {"ep": pl.Int64, "trained": pl.String}}  # columns this work adds to a table


def _typed(value: str, dtype: pl.DataType):
    if value == "":
        return None
    if dtype == pl.Boolean:
        return value.lower() == "true"
    return pl.Series([value]).cast(dtype).item()


def add_rows(registry: Path = REGISTRY) -> dict[str, int]:
    """Rows of ``<table>_add.csv`` whose name the table lacks, appended (a second run adds none)."""
    added = {}
    for path in sorted(HERE.glob("*_add.csv")):
        table = path.stem.removesuffix("_add")
        frame = pl.read_parquet(registry / f"{table}.parquet")
        header = pl.read_csv(path, n_rows=0).columns  # columns added to the table since (source_quality) are null
        new = pl.read_csv(path, schema={c: frame.schema[c] for c in header}).filter(
            ~pl.col("name").is_in(frame["name"].implode()))
        if new.height:
            write_catalog(pl.concat([frame, new], how="diagonal"), table, registry, source=str(path))
        added[table] = new.height
    return added


def apply(registry: Path = REGISTRY) -> dict[str, int]:
    add_rows(registry)
    with open(HERE / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    changed = {}
    for table in dict.fromkeys(p["table"] for p in patches):
        path = registry / f"{table}.parquet"
        frame = pl.read_parquet(path)
        for column, dtype in NEW_COLUMNS.get(table, {}).items():
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype).alias(column))
        for p in (p for p in patches if p["table"] == table):
            where = pl.col("name") == p["name"]
            if p["column"] not in frame.columns or frame.filter(where).height != 1:
                sys.exit(f"patches.csv: {table} has no single row {p['name']!r} with column {p['column']!r}")
            value = _typed(p["value"], frame.schema[p["column"]])
            note = f" [{p['column']} = {p['value'] or 'null'}: {p['source']}]"
            frame = frame.with_columns(
                pl.when(where).then(pl.lit(value, frame.schema[p["column"]])).otherwise(pl.col(p["column"]))
                .alias(p["column"]),
                pl.when(where & ~pl.col("notes").str.contains(note, literal=True))
                .then(pl.col("notes") + note).otherwise(pl.col("notes")).alias("notes"))
        write_catalog(frame, table, registry, source=f"{path} after patches.csv")
        changed[table] = sum(p["table"] == table for p in patches)
    return changed


if __name__ == "__main__":
    print(apply())
