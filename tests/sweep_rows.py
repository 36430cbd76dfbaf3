"""Shared by the tests that compare a path against the sweep row: value equality and catalog names."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl

BUNDLED = Path(__file__).resolve().parent.parent / "registry_data"


def same(value, swept) -> bool:
    """Equal within 1e-9 relative; nulls equal nulls, NaN equals NaN, text and flags exactly."""
    if value is None or swept is None:
        return value is None and swept is None
    if isinstance(swept, (str, bool)):
        return value == swept and type(value) is type(swept)
    a, b = float(value), float(swept)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def names(catalog: str, **equal) -> list[str]:
    """Row names of a bundled catalog (read directly: a spec is drawn before it is prepared)."""
    frame = pl.read_parquet(BUNDLED / f"{catalog}.parquet")
    for column, value in equal.items():
        frame = frame.filter(pl.col(column) == value)
    return frame["name"].to_list()
