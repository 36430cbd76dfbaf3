"""What-if overrides: ``--set hardware.memory_bandwidth_bytes_per_s="4 TB/s"`` changes one catalog
column for every row before the space is built, so ``evaluate`` and ``sweep`` see the same
what-if. Values are a number and a unit (``units.parse_quantity``: no arithmetic) converted to the
column's unit; a wrong dimension, an unknown table or column, or a non-positive value is an input
error naming the override.
"""

from __future__ import annotations

import math
from dataclasses import replace

import polars as pl

from pipeline.catalogs.load import TABLES, Catalogs
from pipeline.errors import InputError, Problem, suggest
from pipeline.units import DimensionalityError, parse_quantity, ureg


def parse(items: list[str] | dict[str, str] | None, source: str = "--set") -> dict[str, float]:
    """``table.column=value unit`` items (or a {key: value} table) -> {"table.column": value in the
    column's unit}; every bad item is reported at once."""
    pairs = list(items.items()) if isinstance(items, dict) else [_split(i) for i in items or []]
    out, problems = {}, []
    if pairs:  # the schemas (pandera) load only when there is something to check
        from pipeline.catalogs.io import schema_units
    for key, text in pairs:
        if key is None:
            problems.append(Problem(None, source, f"got {text!r}, expected table.column=value (with its unit)"))
            continue
        table, _, column = key.partition(".")
        if table not in TABLES:
            problems.append(Problem(None, key, f"unknown table {table!r}; expected one of {', '.join(TABLES)}"))
            continue
        units = schema_units(table)
        if column not in units or units[column] is None:
            numeric = [c for c, u in units.items() if u is not None]
            hint = suggest(column, numeric)
            problems.append(Problem(None, key, f"unknown numeric column {column!r} of {table}"
                                               + (f"; did you mean {', '.join(hint)}?" if hint else "")))
            continue
        try:
            quantity = parse_quantity(str(text))
            value = float(quantity.to(units[column] or "").magnitude) if units[column] else float(quantity)
        except DimensionalityError:
            problems.append(Problem(None, key, f"got {text!r}, expected a quantity in {units[column]} "
                                               f"({ureg.Unit(units[column]).dimensionality})"))
            continue
        except Exception:  # pint raises several types for text it cannot parse
            problems.append(Problem(None, key, f"got {text!r}, expected a number with a unit of {units[column]}"))
            continue
        if not math.isfinite(value) or value <= 0:
            problems.append(Problem(None, key, f"got {text!r}, expected a value > 0"))
            continue
        out[key] = value
    if problems:
        raise InputError(f"overrides ({source})", problems)
    return out


def _split(item: str) -> tuple[str | None, str]:
    key, sep, value = item.partition("=")
    return (key.strip(), value.strip()) if sep and key.strip() and value.strip() else (None, item)


def apply(catalogs: Catalogs, overrides: dict[str, float]) -> Catalogs:
    """The catalogs with each overridden column set to its value on every row."""
    changed: dict[str, pl.DataFrame] = {}
    for key, value in overrides.items():
        table, _, column = key.partition(".")
        frame = changed.get(table, catalogs.table(table))
        changed[table] = frame.with_columns(pl.lit(value, dtype=frame.schema[column]).alias(column))
    return replace(catalogs, **changed) if changed else catalogs
