"""The grid a calibration fits over (issue 12 items 2 and 8): each hardware row once per η.

A grid point η stands for one framework multiplier on the time of every kernel,
c = η / η_profile (``framework_eta_multiplier``): the profile-η operators run at η = c x η_profile,
the kernel catalog's GEMMs at c x their shape's η (``pipeline.walls.kernel_calls.gemm_eta_compute``),
the memory-bound kernels at c x eta_memory (at most the datasheet bandwidth) with their fixed time
divided by c. At the profile's η, c = 1: the prediction a sweep makes. Without kernel fits (a
profile-η row) this is the η calibration of before the kernel model, plus the memory side; under the
kernel model the kernel fits keep their shape dependence and the calibration fits only what they
leave free, how fast a framework runs the kernels relative to the microbenchmarks (a framework's
fused or unfused kernels, its kernel choice), as issue 12 item 2 asks ("a framework profile stays as
a multiplier on top"). Attention's kernel model and collectives are not scaled (the attention fits
are the fused kernels' own timings; collectives are the communication library's).
"""

from __future__ import annotations

import polars as pl

ETA_GRID = [round(0.05 + 0.01 * i, 2) for i in range(96)]  # 0.05 .. 1.00


def at_each_eta(hw: pl.DataFrame, grid: list[float]) -> pl.DataFrame:
    """Each hardware row once per η: its profile's η, the ends of its range, and the grid, with the
    multiplier c = η / η_profile on every kernel's speed (module docstring)."""
    grid_list = pl.lit(pl.Series([grid], dtype=pl.List(pl.Float64)))
    out = hw.with_columns(eta_profile_=pl.col("eta_compute"), eta_compute=pl.concat_list(
        "eta_compute", "eta_compute_low", "eta_compute_high", grid_list).list.unique().list.sort()
    ).explode("eta_compute")
    c = pl.col("eta_compute") / pl.col("eta_profile_")
    scaled = [(pl.col("framework_eta_multiplier") * c).alias("framework_eta_multiplier")]
    if "eta_memory" in out.columns:
        scaled.append((pl.col("eta_memory") * c).clip(upper_bound=1.0).alias("eta_memory"))
    scaled += [pl.col(a) / c for a in ("memory_latency_s", "attention_latency_s") if a in out.columns]
    return out.with_columns(scaled).drop("eta_profile_")
