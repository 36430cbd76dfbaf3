"""The fixed time of one memory-bound kernel, for the kernel_efficiency catalog's
``memory_latency_s`` (issue 12 item 2), fitted to kernel microbenchmarks only.

A memory-bound kernel does not run at its bytes / (bandwidth x streaming fraction): it also
pays a fixed time per launch (the launch reaching the SMs, the first DRAM round trips that fill
the load pipeline, the tail of the last wave, the epilogue's store), Hockney's α of the α–β
model t = α + bytes / β (Hockney 1994, Parallel Computing 20(3)), β being the streaming
bandwidth the catalog already has (``memory_fraction``, ``pipeline.validation.bandwidth_fit``).
A large stream hides α; a decode step's weight-streaming GEMMs of tens of MB, its norms and its
KV-cache reads do not.

Rows: the small-M GEMM sweeps of r-kernels/gemm.csv that are memory-bound at the hardware's
peak (M <= 128 and bytes / (bandwidth x memory_fraction) above 2MNK / peak): vLLM's H100 sweep
(vllm-project/vllm PR 18778: cuBLAS bf16 and the FP8 kernels that time no activation
quantization) and DeepGEMM's dense FP8 shapes on H800 SXM5 (run as H100 SXM5, the same GH100 die
and HBM3, ``pipeline.validation.gemm_fit``). Per row α = measured time - bytes /
(bandwidth x memory_fraction); per hardware the median. Left out: rows that time a quantization
kernel too (two kernels), rows without a catalog streaming fraction (no β to subtract), and the
A100 int8 sweep (no A100 streaming fraction in the catalog).

Where the catalog has no streaming fraction for any fitted row's accelerator (no β to subtract: the A100, whose only
small-M sweep is sgl-kernel's CUTLASS 2.x int8_scaled_mm, sglang PRs 2774 and 3093), α is the intercept of the
least-squares line measured = α + k x bytes through each (source, hardware, precision, M) sweep of at least two
shapes, memory-bound at the datasheet bandwidth, its slope k the kernel's own streaming rate (the form of
``decode_attention_fit``); the family's median of the intercepts. The A100 sweep streams at ~0.85-1.05 TB/s (its
slope; half the datasheet's 2.04 TB/s), which the catalog does not take as β: only its α enters.

Every accelerator of a fitted accelerator's architecture family (the hardware catalog's
``family``: H200 is a GH100 with HBM3e) takes the family's median; others have none (null: no
term, as for the other kernel columns).

``python -m pipeline.validation.gemm_fit`` rewrites registry_data/kernel_efficiency.parquet with
these columns (``gemm_fit.catalog`` joins ``memory_latencies`` of its shaped rows).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.bandwidth_fit import memory_fractions

LATENCY_MAX_M = 128.0  # a decode batch's rows: the GEMM streams its weights


def latency_rows(shaped: pl.DataFrame, registry: Path | None = None) -> pl.DataFrame:
    """Of ``shaped`` (gemm_fit's shaped single-kernel rows with their ``bytes``), the memory-bound ones
    kept, with ``measured_s``, ``stream_s`` (bytes / (bandwidth x memory_fraction)), ``compute_s``
    (2MNK / peak) and ``latency_s`` = measured - stream."""
    reg = registry or bundled_registry()
    rows = shaped.join(memory_fractions(reg).select("hardware", "memory_fraction"), on="hardware")
    flop = 2.0 * pl.col("M") * pl.col("N") * pl.col("K")
    out = rows.filter(pl.col("M") <= LATENCY_MAX_M).with_columns(
        measured_s=flop / pl.col("achieved_flop_per_s"),
        stream_s=pl.col("bytes") / (pl.col("memory_bandwidth_bytes_per_s") * pl.col("memory_fraction")),
        compute_s=flop / pl.col("peak_flop_per_s"))
    return out.filter(pl.col("stream_s") > pl.col("compute_s")).with_columns(
        latency_s=pl.col("measured_s") - pl.col("stream_s"))


def line_fit(x: pl.Expr, y: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Slope and intercept of the least-squares line y = intercept + slope x over a group (aggregations)."""
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    return slope, y.mean() - slope * x.mean()


def sweep_intercepts(shaped: pl.DataFrame, registry: Path | None = None) -> pl.DataFrame:
    """Of ``shaped``, the rows of accelerators without a catalog streaming fraction, M <= 128 and memory-bound at the
    datasheet bandwidth (bytes / bandwidth above 2MNK / peak), one row per (``source``, hardware, precision, M) sweep of
    at least two shapes: ``latency_s``, the intercept α of the least-squares line measured = α + k x bytes (k, the
    kernel's own seconds per byte, in ``seconds_per_byte``), ``rows`` and ``source_urls`` (its URLs)."""
    reg = registry or bundled_registry()
    known = memory_fractions(reg).select("hardware").unique()
    flop = 2.0 * pl.col("M") * pl.col("N") * pl.col("K")
    rows = shaped.join(known, on="hardware", how="anti").filter(pl.col("M") <= LATENCY_MAX_M).with_columns(
        measured_s=flop / pl.col("achieved_flop_per_s")).filter(
        pl.col("bytes") / pl.col("memory_bandwidth_bytes_per_s") > flop / pl.col("peak_flop_per_s"))
    slope, intercept = line_fit(pl.col("bytes"), pl.col("measured_s"))
    source = "source" if "source" in rows.columns else "source_url"  # gemm_fit's source (a repository), else the URL
    return rows.group_by(source, "hardware", "precision", "M").agg(
        seconds_per_byte=slope, latency_s=intercept, rows=pl.len(), shapes=pl.col("bytes").n_unique(),
        source_urls=pl.col("source_url").unique().sort().str.join(" ")).filter(pl.col("shapes") >= 2).drop("shapes")


def memory_latencies(shaped: pl.DataFrame, registry: Path | None = None, by: tuple[str, ...] = (),
                     note: str = "") -> pl.DataFrame:
    """Per catalog hardware of a fitted family (and per value of the columns ``by``, e.g. ``("precision",)`` for a
    precision with its own floor, ``gemm_fit_floor``): ``memory_latency_s`` (the median α; for a family without a
    streaming fraction, the median intercept of ``sweep_intercepts``), ``memory_latency_rows`` and
    ``memory_latency_source`` (what was fitted, ``note``, its sources)."""
    reg = registry or bundled_registry()
    family = pl.read_parquet(reg / "hardware.parquet").select(pl.col("name").alias("hardware"), "family")
    rows = latency_rows(shaped, reg).join(family, on="hardware")
    what = pl.concat_str([pl.col(k).first() for k in by], separator=" ") + pl.lit(" ") if by else pl.lit("")
    fitted = rows.group_by("family", *by).agg(
        memory_latency_s=pl.col("latency_s").median(), memory_latency_rows=pl.len().cast(pl.Float64),
        memory_latency_source=pl.format("median of {} memory-bound {}GEMM rows ({}) of r-kernels/gemm.csv{}: {}",
                                        pl.len(), what, pl.col("hardware").unique().sort().str.join(", "),
                                        pl.lit(note), pl.col("source_url").unique().sort().str.join(" ")))
    sweeps = sweep_intercepts(shaped, reg).join(family, on="hardware").join(fitted, on=["family", *by], how="anti")
    intercepts = sweeps.group_by("family", *by).agg(
        memory_latency_s=pl.col("latency_s").median(), memory_latency_rows=pl.col("rows").sum().cast(pl.Float64),
        memory_latency_source=pl.format(
            "median intercept of {} small-M {}GEMM sweeps ({} rows; {}; no streaming fraction: the least-squares "
            "line measured = α + k x bytes per (source, M), latency_fit.sweep_intercepts) of r-kernels/gemm.csv{}: "
            "{}", pl.len(), what, pl.col("rows").sum(), pl.col("hardware").unique().sort().str.join(", "),
            pl.lit(note), pl.col("source_urls").str.split(" ").list.explode().unique().sort().str.join(" ")))
    return family.join(pl.concat([fitted, intercepts]), on="family").drop("family")
