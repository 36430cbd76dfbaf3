"""``mlsys catalog list TABLE --filter``: the rows of a catalog that match, by name or by column."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.catalogs.dump import table_key
from pipeline.catalogs.names import name_key
from pipeline.errors import InputError, Problem, did_you_mean


def filter_rows(frame: pl.DataFrame, table: str, filters: list[str]) -> pl.DataFrame:
    """Rows passing every filter: ``column=value`` (text compared ignoring case, spaces and
    punctuation; numbers, booleans and dates by value), else a part of the row's name (its key
    columns) ignoring case, spaces and punctuation. Every bad filter is reported at once."""
    keep, problems = pl.lit(True), []
    for text in filters:
        column, sep, value = text.partition("=")
        column, value = column.strip(), value.strip()
        if not sep:
            keep &= _name_contains(frame, table, text)
        elif column not in frame.columns:
            problems.append(Problem(None, column, f"--filter {text!r}: unknown column"
                                                  + did_you_mean(column, frame.columns)))
        else:
            try:
                keep &= _equals(frame, column, value)
            except ValueError as exc:
                problems.append(Problem(None, column, f"--filter {text!r}: {exc}"))
    if problems:
        raise InputError(f"catalog {table!r}", problems)
    return frame.filter(keep)


def _name_contains(frame: pl.DataFrame, table: str, part: str) -> pl.Expr:
    names = frame.select(pl.concat_str([pl.col(k).cast(pl.String) for k in table_key(table)], separator=" "))
    keys = pl.Series([name_key(n or "") for n in names.to_series().to_list()], dtype=pl.String)
    return pl.lit(keys).str.contains(name_key(part), literal=True)


def _equals(frame: pl.DataFrame, column: str, value: str) -> pl.Expr:
    dtype = frame.schema[column]
    if value == "" or value.lower() == "null":
        return pl.col(column).is_null()
    if dtype == pl.String:
        keys = pl.Series([None if v is None else name_key(v) for v in frame[column].to_list()], dtype=pl.String)
        return pl.lit(keys) == name_key(value)
    if dtype == pl.Boolean:
        if value.lower() not in ("true", "false"):
            raise ValueError("expected true or false")
        return pl.col(column) == (value.lower() == "true")
    if dtype == pl.Date:
        try:
            return pl.col(column) == dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a date YYYY-MM-DD") from None
    if dtype.is_numeric():
        try:
            number = float(value)
        except ValueError:
            raise ValueError("expected a number (in the column's unit)") from None
        return pl.col(column) == number
    return pl.col(column).cast(pl.String) == value


def filter_tables(frames: dict[str, pl.DataFrame], filters: list[str]) -> pl.DataFrame:
    """``catalog list --filter ...`` without a table: the matching rows of every table that has each
    filter's column, one line per row (table, its key, the filtered columns, source_url)."""
    columns = list(dict.fromkeys(f.partition("=")[0].strip() for f in filters if "=" in f))
    parts = []
    for table, frame in frames.items():
        if any(c not in frame.columns for c in columns):
            continue
        rows = filter_rows(frame, table, filters)
        parts.append(rows.select(
            pl.lit(table).alias("table"),
            pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in table_key(table)], separator=" / ")
            .alias("row"),
            *[pl.col(c).cast(pl.String) for c in columns], pl.col("source_url")))
    if not parts:
        known = sorted({c for f in frames.values() for c in f.columns})
        problems = [Problem(None, c, "--filter: no table has this column" + did_you_mean(c, known)) for c in columns]
        raise InputError("catalog list", problems)
    return pl.concat(parts)
