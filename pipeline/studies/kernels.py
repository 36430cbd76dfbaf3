"""The GEMM kernel-efficiency parameters of each (hardware, compute_dtype) row (issue 12).

``efficiency_basis`` says what sets the matmul operators' η on the row:

- "kernel fit": the kernel_efficiency catalog's GEMM shape model (``pipeline.walls.gemm``),
  times ``framework_eta_multiplier`` (``framework_multiplier``: 1, the kernels as measured already
  run at the framework's speed, unless a profile states a calibrated one);
- "profile η": the efficiency profile's η, as before issue 12 (no kernel data or unit count
  for this hardware, or ``efficiency.compute_model = "profile"``);
- "override η": the spec's ``efficiency.eta_compute`` (``--efficiency``), a constant η on
  every operator, so that a calibrated or chosen η keeps its meaning.

Under "kernel fit", attention takes the fused-attention model (``pipeline.walls.attention_kernel``)
where the catalog has an attention ceiling for the (hardware, precision attention runs at) (H100 SXM5, H200, B200),
else the profile η; norms and the CNN path keep the profile η. ``memory_fraction``: under
``compute_model = "kernel"`` (no η override), ``eta_memory`` becomes the hardware's measured
streaming-bandwidth fraction where the catalog has one (``eta_memory_source`` = "bandwidth
benchmark"), else stays the profile's. ``memory_latency_s``: under "kernel fit", the fixed time of
one memory-bound kernel (``pipeline.validation.latency_fit``; 0 where the catalog has none), else 0
(a profile's or an override's η already stands for the whole operator).
"""

from __future__ import annotations

import polars as pl

from pipeline.errors import InputError, Problem
from pipeline.studies.efficiency import multiplier_table
from pipeline.units import UExpr, col, unit
from pipeline.walls.gemm import gemm_k_half_at_output
from pipeline.walls.mixed_precision import attention_kernel_bytes_per_element

GEMM_COLUMNS = {"units": "gemm_units", "tile_m": "gemm_tile_m", "tile_n": "gemm_tile_n",
                "ceiling": "gemm_ceiling", "k_half": "gemm_k_half",
                "best_fraction": "gemm_best_fraction"}
ATTENTION_COLUMNS = {"attention_ceiling": "attention_ceiling", "attention_s_half": "attention_s_half",
                     "attention_d_half": "attention_d_half"}
KERNEL_UNITS = {c: unit("") for c in (*GEMM_COLUMNS.values(), *ATTENTION_COLUMNS.values(),
                                      "framework_eta_multiplier")} | {"efficiency_basis": None,
                                                                       "memory_latency_s": unit("s"),
                                                                       "attention_latency_s": unit("s")}
# the hardware's 16-bit GEMM fit beside every row (its bf16 row), for GEMMs that stay 16-bit under narrower weights
# (walls.mixed_precision: MLA's projections beside NVFP4 ones)
SIXTEEN_BIT_COLUMNS = {c: f"sixteen_bit_{c}" for c in GEMM_COLUMNS.values()}
KERNEL_UNITS |= {c: unit("") for c in SIXTEEN_BIT_COLUMNS.values()}
LATENCIES = ("memory_latency_s", "attention_latency_s")  # the fixed times a kernel fit adds (0 otherwise)
ATTENTION_FIT = "attention fit"  # a catalog row of one more attention kernel alone (named_attention_kernel)


def kernel_table(side: pl.DataFrame, kernels: pl.DataFrame, compute_model: str, eta_override: float | None,
                 on: str = "name", sustained: bool = True) -> pl.DataFrame:
    """Add the GEMM model's parameters (null where the basis is not "kernel fit"),
    ``efficiency_basis`` and ``framework_eta_multiplier`` to each (``on``, compute_dtype) row.
    ``sustained``: a study's GEMMs run at the power-capped clock of a chip under load for minutes (a serving or
    training run), so the ceiling and best_fraction are x the catalog's ``sustained_fraction`` (null: 1); the
    kernel study (``sustained=False``) predicts one call as microbenchmarks time it, in a burst."""
    kernels = kernels.filter(pl.col("efficiency_basis") != ATTENTION_FIT)  # one row per (hardware, precision)
    if compute_model == "kernel" and eta_override is None:
        held = (pl.col("sustained_fraction").fill_null(1.0) if sustained and "sustained_fraction" in kernels.columns
                else pl.lit(1.0))
        kernels = kernels.with_columns(pl.col("ceiling") * held, pl.col("best_fraction") * held)
        k = kernels.select(pl.col("hardware").alias(on), pl.col("precision").alias("compute_dtype"),
                           "efficiency_basis", "memory_latency_s",
                           pl.col("attention_latency_s") if "attention_latency_s" in kernels.columns
                           else pl.lit(None, pl.Float64).alias("attention_latency_s"),
                           *(pl.col(a).alias(b) for a, b in GEMM_COLUMNS.items()),
                           *(pl.col(a).alias(b) for a, b in ATTENTION_COLUMNS.items()))
        out = side.join(k, on=[on, "compute_dtype"], how="left").with_columns(
            efficiency_basis=pl.col("efficiency_basis").fill_null("profile η"))
        out = attention_at_its_precision(out, k, on)
        sixteen = k.filter(pl.col("compute_dtype") == "bf16").select(
            on, *(pl.col(a).alias(b) for a, b in SIXTEEN_BIT_COLUMNS.items()))
        out = out.join(sixteen, on=on, how="left")
        fit = pl.col("efficiency_basis") == "kernel fit"
        out = out.with_columns(*(pl.when(fit).then(pl.col(c)).otherwise(None).alias(c)
                                 for c in (*GEMM_COLUMNS.values(), *ATTENTION_COLUMNS.values(),
                                           *SIXTEEN_BIT_COLUMNS.values())),
                               memory_latency_s=pl.when(fit).then(pl.col("memory_latency_s")).otherwise(None)
                               .fill_null(0.0),
                               # a decode-attention call's own floor where fitted, else the GEMM fit's α
                               attention_latency_s=pl.when(fit).then(pl.coalesce("attention_latency_s",
                                                                                 "memory_latency_s")).fill_null(0.0))
    else:
        basis = "profile η" if eta_override is None else "override η"
        out = side.with_columns(efficiency_basis=pl.lit(basis), memory_latency_s=pl.lit(0.0),
                                attention_latency_s=pl.lit(0.0),
                                **{c: pl.lit(None, dtype=pl.Float64)
                                   for c in (*GEMM_COLUMNS.values(), *ATTENTION_COLUMNS.values(),
                                             *SIXTEEN_BIT_COLUMNS.values())})
    return out.with_columns(framework_eta_multiplier=pl.lit(1.0))


def named_attention_kernel(side: pl.DataFrame, kernels: pl.DataFrame, kernel: str | None,
                           on: str = "name") -> pl.DataFrame:
    """A run whose framework calls a named fused attention kernel (``efficiency.attention_kernel``, a measurement's
    ``attention_kernel``) takes that kernel's fit where the catalog has an "attention fit" row of it for the
    (hardware, compute_dtype): its ceiling, s_half and d_half replace the default fit's on rows with a kernel fit
    (the GEMM parameters stay). Elsewhere, or with ``kernel`` None, the rows keep the catalog's default fit."""
    if kernel is None or "attention_ceiling" not in side.columns:
        return side
    named = kernels.filter(pl.col("efficiency_basis") == ATTENTION_FIT, pl.col("attention_kernel") == kernel)
    if named.is_empty():
        known = sorted(kernels.filter(pl.col("efficiency_basis") == ATTENTION_FIT)["attention_kernel"].unique())
        raise InputError("kernel_efficiency", [Problem(None, "attention_kernel", f"no \"attention fit\" row of "
                                                       f"{kernel!r}; expected one of {known}")])
    named = named.select(
        pl.col("hardware").alias(on), pl.col("precision").alias("compute_dtype"),
        *(pl.col(a).alias(f"_named_{b}") for a, b in ATTENTION_COLUMNS.items()))
    out = side.join(named, on=[on, "compute_dtype"], how="left")
    here = pl.col("_named_attention_ceiling").is_not_null() & (pl.col("efficiency_basis") == "kernel fit")
    return out.with_columns(pl.when(here).then(pl.col(f"_named_{c}")).otherwise(pl.col(c)).alias(c)
                            for c in ATTENTION_COLUMNS.values()).drop(f"_named_{c}" for c in ATTENTION_COLUMNS.values())


def attention_dtype(compute_dtype: pl.Expr, bytes_per_element: pl.Expr, kv_bytes_per_element: pl.Expr) -> pl.Expr:
    """The precision attention's kernel efficiency is looked up at, named from the width its peak is priced at
    (``walls.mixed_precision.attention_kernel_bytes_per_element``): the compute dtype where that is as wide, else
    the 16-bit kernel (bf16) or FP8's."""
    width = unit("B/elem")
    kernel = attention_kernel_bytes_per_element(UExpr(bytes_per_element, width),
                                                UExpr(kv_bytes_per_element, width)).magnitude(width)
    return (pl.when(kernel <= bytes_per_element).then(compute_dtype.cast(pl.String))
            .when(kernel >= 2.0).then(pl.lit("bf16")).otherwise(pl.lit("fp8")))


def attention_at_its_precision(out: pl.DataFrame, k: pl.DataFrame, on: str) -> pl.DataFrame:
    """Attention's kernel parameters from the catalog row of the precision its peak is priced at
    (``attention_dtype``: FP8 over an FP8 KV cache on fp4 rows, 16-bit over a 16-bit cache on fp8
    / fp4 / int8 rows), not the compute dtype's. Serving rows only (a KV cache of its own dtype, ``kv_dtype``, and
    ``walls.serving`` prices attention at ``attention_peak_flop_per_s``); the other studies keep the compute
    dtype's."""
    if not {"kv_dtype", "kv_bytes_per_element", "bytes_per_element"} <= set(out.columns):
        return out
    at = k.select(pl.col(on), pl.col("compute_dtype").alias("_attention_dtype"),
                  *(pl.col(c).alias(f"_{c}") for c in ATTENTION_COLUMNS.values()))
    out = out.with_columns(_attention_dtype=attention_dtype(pl.col("compute_dtype"), pl.col("bytes_per_element"),
                                                            pl.col("kv_bytes_per_element")))
    out = out.join(at, on=[on, "_attention_dtype"], how="left")
    return out.with_columns(pl.col(f"_{c}").alias(c) for c in ATTENTION_COLUMNS.values()).drop(
        "_attention_dtype", *(f"_{c}" for c in ATTENTION_COLUMNS.values()))


def measured_memory_fraction(side: pl.DataFrame, kernels: pl.DataFrame, compute_model: str,
                             memory_override: float | None, on: str = "name") -> pl.DataFrame:
    """Under compute_model "kernel" without an eta_memory override: eta_memory (and its low/high)
    = the hardware's measured streaming fraction where the catalog has one, eta_memory_source
    "bandwidth benchmark"; else unchanged (the profile's, or the override)."""
    if memory_override is not None and "memory_latency_s" in side.columns:  # a constant η means the whole operator
        side = side.with_columns(pl.lit(0.0).alias(c) for c in LATENCIES if c in side.columns)
    if compute_model != "kernel" or memory_override is not None or "eta_memory" not in side.columns:
        return side
    m = kernels.filter(pl.col("efficiency_basis") != ATTENTION_FIT).group_by("hardware").agg(
        pl.col("memory_fraction").first().alias("bandwidth_fraction"))
    out = side.join(m.rename({"hardware": on}), on=on, how="left")
    has = pl.col("bandwidth_fraction").is_not_null()
    return out.with_columns(
        *(pl.when(has).then(pl.col("bandwidth_fraction")).otherwise(pl.col(c)).alias(c)
          for c in ("eta_memory", "eta_memory_low", "eta_memory_high") if c in out.columns),
        *([pl.when(has).then(pl.lit("bandwidth benchmark")).otherwise(pl.col("eta_memory_source"))
           .cast(out.schema["eta_memory_source"]).alias("eta_memory_source")] if "eta_memory_source" in out.columns
          else []),
    ).drop("bandwidth_fraction")


def framework_multiplier(side: pl.DataFrame, profiles: pl.DataFrame, efficiency) -> pl.DataFrame:
    """The framework's multiplier c on every kernel's speed (``efficiency_profiles.framework_eta_multiplier``,
    fitted by ``mlsys calibrate`` as ``pipeline.validation.eta_grid`` defines it; null: 1): the GEMM
    kernels' η x c, eta_memory x c (at most the datasheet bandwidth) and the memory kernels' fixed
    time / c. The profile-η operators' c is in the calibrated profile's η already. An η override
    (``--efficiency``) is a constant η: c = 1; an eta_memory override keeps eta_memory."""
    if efficiency.eta_compute is not None:
        return side
    c = pl.col("framework_eta_multiplier")
    out = multiplier_table(side.drop("framework_eta_multiplier"), profiles, efficiency.framework)
    memory = [] if efficiency.eta_memory is not None else [
        (pl.col(m) * c).clip(upper_bound=1.0) for m in ("eta_memory", "eta_memory_low", "eta_memory_high")
        if m in out.columns]
    return out.with_columns(*memory, *(pl.col(a) / c for a in LATENCIES if a in out.columns))


def profile_where_tiles_exceed(side: pl.DataFrame, max_tile_area: float, basis: str) -> pl.DataFrame:
    """Rows whose kernel fit prices every GEMM with one tile larger than ``max_tile_area`` (tile_m x
    tile_n) go back to the profile η: ``efficiency_basis`` = ``basis`` and the GEMM and attention
    parameters null (so each matmul takes ``eta_compute``, ``pipeline.walls.kernel_calls``). Rows
    without a fit, or with a profile η or an override, are unchanged."""
    if "gemm_tile_m" not in side.columns:
        return side
    big = (pl.col("gemm_tile_m") * pl.col("gemm_tile_n") > max_tile_area).fill_null(False)
    dtype = side.schema["efficiency_basis"]
    return side.with_columns(
        pl.when(big).then(pl.lit(basis)).otherwise(pl.col("efficiency_basis").cast(pl.String)).cast(dtype)
        .alias("efficiency_basis"),
        *(pl.when(big).then(pl.lit(0.0)).otherwise(pl.col(a)).alias(a) for a in LATENCIES if a in side.columns),
        *(pl.when(big).then(None).otherwise(pl.col(c)).alias(c)
          for c in (*GEMM_COLUMNS.values(), *ATTENTION_COLUMNS.values(), *SIXTEEN_BIT_COLUMNS.values())
          if c in side.columns))


def k_half_at_activation_bytes(side: pl.DataFrame) -> pl.DataFrame:
    """At inference the node study writes each layer's activations at the compute precision's element
    size (``bytes_per_element``: int8 and fp8 1 B, as its activation traffic counts them): an int8
    engine quantizes each GEMM's output in its epilogue (TensorRT), so C is stored at that size and
    ``gemm_k_half`` = ``pipeline.walls.gemm.gemm_k_half_at_output`` (the fit's k_half x bytes / 2).
    Training rows keep the fit's 16-bit C (Transformer Engine's FP8 GEMMs write BF16 outputs), as do
    rows without a kernel fit (null k_half)."""
    if "gemm_k_half" not in side.columns or "bytes_per_element" not in side.columns:
        return side
    inference = pl.col("workload") == "inference"
    side = side.with_columns(pl.when(inference).then(pl.col("bytes_per_element")).otherwise(2.0)
                             .alias("_output_bytes"))
    k_half = gemm_k_half_at_output(col("gemm_k_half", ""), col("_output_bytes", "B/elem"))
    return side.with_columns(k_half.expr.alias("gemm_k_half")).drop("_output_bytes")
