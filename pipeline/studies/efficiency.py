"""Efficiencies per (workload, framework, hardware family, precision), from the efficiency profiles.

Three efficiencies derate three datasheet figures: ``eta_compute`` (peak FLOP/s, the
seed's η), ``eta_memory`` (memory bandwidth) and ``eta_link`` (scale-up link bandwidth).
For each, the most specific profile row that states it wins: an exact framework counts
4, an exact hardware family 2, an exact precision 1; rows for framework "any" (the
seed's "Any") match every framework, and the "default" rows match everything but score
-1, so they win only when nothing else matches. Ties go to the profile name that sorts
first. η is the midpoint of the row's range; the row's name and citation travel with it.
"""

from __future__ import annotations

import polars as pl

WILDCARD = ("any", "default")
KEYS = ["workload", "family", "compute_dtype"]


def _best(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str, kind: str) -> pl.DataFrame:
    low, high = f"eta_{kind}_low", f"eta_{kind}_high"
    source = "eta_source" if kind == "compute" else f"eta_{kind}_source"
    p = profiles.filter(pl.col(low).is_not_null()).select(
        "workload", "framework", "hardware_family", pl.col("precision").alias("profile_precision"),
        low, high, pl.format("{}: {} ({})", "profile", "source", "source_url").alias(source),
    )
    candidates = keys.select(KEYS).unique().join(p, on="workload", how="inner").filter(
        ((pl.col("framework") == framework) | pl.col("framework").is_in(WILDCARD))
        & ((pl.col("hardware_family") == pl.col("family")) | (pl.col("hardware_family") == "any"))
        & ((pl.col("profile_precision") == pl.col("compute_dtype")) | (pl.col("profile_precision") == "any"))
    ).with_columns(
        score=4 * ((pl.col("framework") == framework) & ~pl.col("framework").is_in(WILDCARD)).cast(pl.Int32)
        + 2 * (pl.col("hardware_family") == pl.col("family")).cast(pl.Int32)
        + (pl.col("profile_precision") == pl.col("compute_dtype")).cast(pl.Int32)
        - (pl.col("framework") == "default").cast(pl.Int32)
    )
    return (candidates.sort(["score", source], descending=[True, False])
            .unique(subset=KEYS, keep="first", maintain_order=True)
            .select(*KEYS, low, high, source))


def eta_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str,
              overrides: dict[str, float | None] | None = None,
              kinds: tuple[str, ...] = ("compute",)) -> pl.DataFrame:
    """Add ``eta_<kind>`` (+ ``_low``, ``_high`` and its source) to each (workload, family,
    compute_dtype) row of ``keys``, for each kind in ``kinds``; an override sets every row."""
    overrides = overrides or {}
    out = keys
    for kind in kinds:
        low, high = f"eta_{kind}_low", f"eta_{kind}_high"
        source = "eta_source" if kind == "compute" else f"eta_{kind}_source"
        value = overrides.get(kind)
        if value is not None:
            out = out.with_columns(pl.lit(value).alias(low), pl.lit(value).alias(high),
                                   pl.lit(f"spec override (efficiency.eta_{kind})").alias(source))
        else:
            out = out.join(_best(keys, profiles, framework, kind), on=KEYS, how="left")
        out = out.with_columns(((pl.col(low) + pl.col(high)) / 2).alias(f"eta_{kind}"))
    return out
