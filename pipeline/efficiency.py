"""eta_compute per (workload, framework, hardware family, precision), from the efficiency profiles.

The most specific profile row wins: an exact framework counts 4, an exact hardware
family 2, an exact precision 1; rows for framework "any" (the seed's "Any") match
every framework, and the "default" rows (the seed's 0.5 for training, 0.30 for
inference) match everything but score -1, so they win only when nothing else matches.
Ties go to the profile name that sorts first.
eta is the midpoint of the row's range; the row's name and citation travel with it.
"""

from __future__ import annotations

import polars as pl

WILDCARD = ("any", "default")


def eta_table(keys: pl.DataFrame, profiles: pl.DataFrame, framework: str,
              override: float | None = None) -> pl.DataFrame:
    """For each (workload, family, compute_dtype) row of ``keys``: eta_compute and eta_source."""
    if override is not None:
        return keys.with_columns(
            eta_compute=pl.lit(override), eta_compute_low=pl.lit(override),
            eta_compute_high=pl.lit(override), eta_source=pl.lit("spec override (efficiency.eta_compute)"))
    p = profiles.select(
        "workload", "framework", "hardware_family", pl.col("precision").alias("profile_precision"),
        "eta_compute_low", "eta_compute_high",
        pl.format("{}: {} ({})", "profile", "source", "source_url").alias("eta_source"),
    )
    candidates = keys.join(p, on="workload", how="inner").filter(
        ((pl.col("framework") == framework) | pl.col("framework").is_in(WILDCARD))
        & ((pl.col("hardware_family") == pl.col("family")) | (pl.col("hardware_family") == "any"))
        & ((pl.col("profile_precision") == pl.col("compute_dtype")) | (pl.col("profile_precision") == "any"))
    ).with_columns(
        score=4 * ((pl.col("framework") == framework) & ~pl.col("framework").is_in(WILDCARD)).cast(pl.Int32)
        + 2 * (pl.col("hardware_family") == pl.col("family")).cast(pl.Int32)
        + (pl.col("profile_precision") == pl.col("compute_dtype")).cast(pl.Int32)
        - (pl.col("framework") == "default").cast(pl.Int32)
    )
    best = (candidates.sort(["score", "eta_source"], descending=[True, False])
            .unique(subset=["workload", "family", "compute_dtype"], keep="first", maintain_order=True))
    out = keys.join(best.select("workload", "family", "compute_dtype", "eta_compute_low",
                                "eta_compute_high", "eta_source"),
                    on=["workload", "family", "compute_dtype"], how="left")
    return out.with_columns(
        eta_compute=(pl.col("eta_compute_low") + pl.col("eta_compute_high")) / 2)
