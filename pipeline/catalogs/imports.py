"""Importing a CSV table into a registry: the whole table validated, the other tables still
resolving against it (``load.check_replacement``), then written atomically (``io.write_catalog``).
Its own module because it reads both ``io`` and ``load``, which ``load`` (reading) and ``io``
(writing) do not need of each other."""

from __future__ import annotations

from pathlib import Path

from pipeline.catalogs.io import non_empty, read_csv, validate, write_catalog
from pipeline.catalogs.load import check_replacement


def import_csv(path: str | Path, table: str | None = None, registry: str | Path | None = None) -> Path:
    """Validate a whole CSV table and write it as Parquet; nothing is written if any cell is bad."""
    table, df = read_csv(path, table)
    source = f"CSV {path} (table {table!r})"
    df = non_empty(validate(df, table, source), table, source)
    check_replacement(table, df, registry, source)
    return write_catalog(df, table, registry, source)
