"""A catalog Parquet file as stable, reviewable text: one line per row, sorted by the table's key
(``mlsys catalog dump``, the textconv of the ``mlsys-catalog`` git diff driver), so a changed cell
shows in ``git diff`` as one removed and one added row line.

The text is CSV-like: a header of the columns (the key columns first, each numeric column with
its unit from the Parquet field metadata, "memory_bandwidth_bytes_per_s [B/s]"), then one line
per row. Cells are lossless: floats by their shortest round-trip form (``repr``), integers whole,
booleans ``true``/``false``, dates ISO; an empty cell is null and ``""`` the empty string; text
with a comma, quote or edge space is quoted with ``""`` doubling a quote, and a backslash,
newline, carriage return or tab inside text is written ``\\\\``, ``\\n``, ``\\r``, ``\\t`` so a
row never spans lines. Reading the file does not validate it: a broken catalog still diffs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError, Problem

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def table_key(table: str) -> list[str]:
    """The columns that identify a row of ``table``: the schema's unique column set, else its
    unique column (``name``, or ``accelerator`` for accelerator_costs)."""
    schema = CATALOGS[table].to_schema()
    if schema.unique:
        return [schema.unique] if isinstance(schema.unique, str) else list(schema.unique)
    return [c for c, col in schema.columns.items() if col.unique]


def detect_table(columns: list[str], hint: str | None = None) -> str | None:
    """The catalog whose schema has exactly these columns (``hint``, a file name, breaks a tie
    and names the table of a file whose columns have drifted); None: not a catalog."""
    same = [t for t, m in CATALOGS.items() if set(m.to_schema().columns) == set(columns)]
    named = [t for t in CATALOGS if hint and (hint == f"{t}.parquet" or hint.endswith(f"_{t}.parquet"))]
    for table in same:
        if table in named:
            return table
    if same:
        return same[0]
    return named[0] if named and all(c in columns for c in table_key(named[0])) else None


def frame_key(frame: pl.DataFrame, table: str | None) -> list[str]:
    """The key of a frame: its table's key, else every column (a file that is not a catalog)."""
    return table_key(table) if table is not None else list(frame.columns)


def cell(value) -> str:
    """One value as lossless text (see the module's note)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, str):
        return quote(value.translate(_ESCAPES))
    return quote(json.dumps(value, default=str, sort_keys=True))


def quote(text: str) -> str:
    if text == "" or any(ch in text for ch in ',"') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def read_parquet(path: str | Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """A Parquet file's rows and each column's unit (field metadata ``unit``), unvalidated."""
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        arrow = pq.read_table(path)
    except (OSError, ValueError) as exc:  # missing, or not Parquet (pyarrow raises ArrowInvalid, a ValueError)
        raise InputError(f"catalog file {path}", [Problem(None, None, f"cannot read as Parquet: {exc}")]) from None
    units = {f.name: f.metadata[b"unit"].decode() for f in arrow.schema if f.metadata and b"unit" in f.metadata}
    return pl.from_arrow(arrow), units


def ordered_columns(frame: pl.DataFrame, key: list[str]) -> list[str]:
    return [*key, *(c for c in frame.columns if c not in key)]


def textconv_command() -> str:
    """The git textconv of the ``mlsys-catalog`` diff driver: this interpreter's ``mlsys catalog dump``
    (git appends the file's path and runs it with the shell)."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable)} -m pipeline catalog dump"


def dump_lines(path: str | Path) -> list[str]:
    """The header and one line per row, sorted by the key (then by the whole line: duplicates
    of a key in a bad file still sort the same way every time)."""
    frame, units = read_parquet(path)
    table = detect_table(frame.columns, Path(path).name)
    key = [c for c in frame_key(frame, table) if c in frame.columns]
    columns = ordered_columns(frame, key)
    header = ",".join(quote(f"{c} [{units[c]}]" if c in units else c) for c in columns)
    rows = [[cell(v) for v in row] for row in frame.select(columns).iter_rows()]
    rows.sort(key=lambda r: (r[:len(key)], r))
    return [header, *(",".join(r) for r in rows)]
