"""The building blocks of the catalog schemas: typed columns that carry their unit and
description in pandera field metadata, a finiteness check, and the provenance columns every
catalog row has (``pipeline.catalogs.schemas`` declares the tables with them)."""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl


def _finite(cls, data: pa.PolarsData) -> pl.LazyFrame:
    c = pl.col(data.key)
    return data.lazyframe.select(c.is_null() | c.is_finite())


def finite(pattern: str):
    """Float columns matching ``pattern`` must be finite: polars orders NaN above every
    number, so ``gt=0`` alone lets NaN through."""
    return pa.check(pattern, regex=True, name="finite")(_finite)


def quantity(unit: str, description: str, *, nullable: bool = False, gt: float | None = 0,
             ge: float | None = None, le: float | None = None) -> float | None:
    """A float column in ``unit``: finite, and > 0 unless ``ge`` says otherwise."""
    bounds = {"ge": ge} if ge is not None else ({"gt": gt} if gt is not None else {})
    if le is not None:
        bounds["le"] = le
    return pa.Field(nullable=nullable, **bounds,
                    metadata={"unit": unit, "description": description})


def count(description: str, *, nullable: bool = False, ge: int = 1, unit: str = "") -> int | None:
    return pa.Field(nullable=nullable, ge=ge, metadata={"unit": unit, "description": description})


def text(description: str, *, nullable: bool = False, unique: bool = False,
         isin: list[str] | None = None) -> str | None:
    extra = {"isin": isin} if isin is not None else {}
    return pa.Field(nullable=nullable, unique=unique, str_length={"min_value": 1}, **extra,
                    metadata={"description": description})


def url(description: str) -> str | None:
    """A nullable link: the source of one figure of the row."""
    return pa.Field(nullable=True, str_matches=r"^https?://\S+$", metadata={"description": description})


def flag(description: str, *, nullable: bool = False) -> bool | None:
    return pa.Field(nullable=nullable, metadata={"description": description})


class Provenance(pa.DataFrameModel):
    """Columns every catalog row carries; strict, coercing schemas (a subclass's Config adds its name)."""

    class Config:
        strict = True
        coerce = True

    source_url: str = pa.Field(
        str_matches=r"^https?://\S+$", metadata={"description": "where the row's values come from"}
    )
    last_verified: dt.date = pa.Field(metadata={"description": "date the source was last checked"})
    notes: str = pa.Field(
        nullable=True, metadata={"description": "derived or unpublished values, and how"}
    )
    source_quality: str = pa.Field(
        nullable=True, isin=["primary", "secondary"], metadata={"description": (
            "primary: source_url publishes the figures (vendor datasheet, documentation, whitepaper, official "
            "repository, paper); secondary: it reports or re-hosts them (news, aggregator, re-host, wiki, "
            "third-party spec database); rule in pipeline/catalogs/quality.py; null: unknown (a registry made "
            "before the column)")})
