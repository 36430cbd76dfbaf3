"""``mlsys catalog stale``: catalog rows whose ``last_verified`` (and, in a table that has it, a
price's ``as_of``) is older than a threshold, for the nightly report."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from pipeline.catalogs.dump import table_key
from pipeline.errors import InputError, Problem

DATE_COLUMNS = ("last_verified", "as_of")  # as_of: the date a price applies (cloud_prices, accelerator_costs)
_DURATION = re.compile(r"^\s*(\d+)\s*(d|w|y)\s*$")
_DAYS = {"d": 1, "w": 7, "y": 365}


def parse_duration(text: str, option: str = "--older-than") -> dt.timedelta:
    """``180d``, ``26w`` or ``1y`` (365 days) as a timedelta; anything else is an ``InputError``."""
    m = _DURATION.match(text.lower())
    if not m:
        raise InputError("catalog stale", [Problem(None, option, f"got {text!r}, expected a whole number of days, "
                                                                 "weeks or years: 180d, 26w or 1y")])
    return dt.timedelta(days=int(m.group(1)) * _DAYS[m.group(2)])


def stale_rows(frames: dict[str, pl.DataFrame], older_than: dt.timedelta, today: dt.date) -> pl.DataFrame:
    """One row per stale (catalog row, date column): table, key, column, date, age in days;
    oldest first. ``frames``: table -> catalog."""
    cutoff = today - older_than
    parts = []
    for table, frame in frames.items():
        key = pl.concat_str([pl.col(k).cast(pl.String) for k in table_key(table)], separator=" / ")
        for column in DATE_COLUMNS:
            if column in frame.columns:
                parts.append(frame.filter(pl.col(column) < cutoff).select(
                    pl.lit(table).alias("table"), key.alias("key"), pl.lit(column).alias("column"),
                    pl.col(column).alias("date"), (pl.lit(today) - pl.col(column)).dt.total_days().alias("age_days")))
    schema = {"table": pl.String, "key": pl.String, "column": pl.String, "date": pl.Date, "age_days": pl.Int64}
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).cast(schema).sort(["date", "table", "key", "column"])


def registry_stale(registry: str | Path | None, older_than: str, today: dt.date | None = None,
                   table: str | None = None) -> pl.DataFrame:
    """The stale rows of every catalog of a registry (or of ``table``), validated as they load."""
    from pipeline.catalogs.load import TABLES, load_catalogs

    span = parse_duration(older_than)
    if table is not None and table not in TABLES:
        from pipeline.errors import UnknownNameError

        raise UnknownNameError("catalog stale", [("--table", table, list(TABLES))])
    catalogs = load_catalogs(registry)
    frames = {t: catalogs.table(t) for t in ([table] if table else TABLES)}
    return stale_rows(frames, span, today or dt.datetime.now(dt.UTC).date())
