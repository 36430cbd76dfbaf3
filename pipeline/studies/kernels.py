"""The GEMM kernel-efficiency parameters of each (hardware, compute_dtype) row (issue 12).

``efficiency_basis`` says what sets the matmul operators' η on the row:

- "kernel fit": the kernel_efficiency catalog's GEMM shape model (``pipeline.walls.gemm``),
  times ``framework_eta_multiplier`` (1: the kernels as measured already run at the
  framework's speed; no profile states another value yet);
- "profile η": the efficiency profile's η, as before issue 12 (no kernel data or unit count
  for this hardware, or ``efficiency.compute_model = "profile"``);
- "override η": the spec's ``efficiency.eta_compute`` (``--efficiency``), a constant η on
  every operator, so that a calibrated or chosen η keeps its meaning.

Attention, norms and the CNN path keep the profile η in every case.
"""

from __future__ import annotations

import polars as pl

from pipeline.units import unit

GEMM_COLUMNS = {"units": "gemm_units", "tile_m": "gemm_tile_m", "tile_n": "gemm_tile_n",
                "ceiling": "gemm_ceiling", "k_half": "gemm_k_half"}
KERNEL_UNITS = {c: unit("") for c in (*GEMM_COLUMNS.values(), "framework_eta_multiplier")} | {
    "efficiency_basis": None}


def kernel_table(side: pl.DataFrame, kernels: pl.DataFrame, compute_model: str, eta_override: float | None,
                 on: str = "name") -> pl.DataFrame:
    """Add the GEMM model's parameters (null where the basis is not "kernel fit"),
    ``efficiency_basis`` and ``framework_eta_multiplier`` to each (``on``, compute_dtype) row."""
    if compute_model == "kernel" and eta_override is None:
        k = kernels.select(pl.col("hardware").alias(on), pl.col("precision").alias("compute_dtype"),
                           "efficiency_basis", *(pl.col(a).alias(b) for a, b in GEMM_COLUMNS.items()))
        out = side.join(k, on=[on, "compute_dtype"], how="left").with_columns(
            efficiency_basis=pl.col("efficiency_basis").fill_null("profile η"))
        fit = pl.col("efficiency_basis") == "kernel fit"
        out = out.with_columns(*(pl.when(fit).then(pl.col(c)).otherwise(None).alias(c) for c in GEMM_COLUMNS.values()))
    else:
        basis = "profile η" if eta_override is None else "override η"
        out = side.with_columns(efficiency_basis=pl.lit(basis),
                                **{c: pl.lit(None, dtype=pl.Float64) for c in GEMM_COLUMNS.values()})
    return out.with_columns(framework_eta_multiplier=pl.lit(1.0))
