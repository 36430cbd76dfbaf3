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

β of a GEMM (``gemm_memory_fraction``): a GEMM that streams its weights does not stream at a pure
read kernel's fraction of the bandwidth (the H100 row of memory_bandwidth.csv is a read-only reduction at
0.95): its operands go through the tiles' load pipeline, and the same rows show it, the largest
memory-bound shapes reaching 0.78-0.87 of 3.35 TB/s (DeepGEMM M=64 N=7168 K=16384, 117 MB: 0.80;
cuBLAS bf16 M=1..128 N=12288 K=5376, 132 MB: 0.85-0.87) while α from a 0.95 β grows with the bytes
(1 µs at 15 MB, 7-8 µs at 117 MB: a bandwidth effect, not a fixed time). Where a family's rows span at
least ``BETA_MIN_SPAN`` in stream time, α and β are fitted together (Hockney's two parameters):
β the fraction on ``BETA_GRID`` minimising the median |log(predicted / measured)|, α the median of
measured - bytes / (bandwidth x β) at that β; elsewhere β stays the streaming fraction (null
``gemm_memory_fraction``) and α is the median as above.

Every accelerator of a fitted accelerator's architecture family (the hardware catalog's
``family``: H200 is a GH100 with HBM3e) takes the family's α (and β, a fraction of its own
datasheet bandwidth); others have none (null: no term, as for the other kernel columns).

``python -m pipeline.validation.gemm_fit`` rewrites registry_data/kernel_efficiency.parquet with
these columns (``gemm_fit.catalog`` joins ``memory_latencies`` of its shaped rows).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.bandwidth_fit import memory_fractions

LATENCY_MAX_M = 128.0  # a decode batch's rows: the GEMM streams its weights
BETA_GRID = [round(0.5 + 0.005 * i, 3) for i in range(101)]  # GEMM streaming fractions tried, 0.50 .. 1.00
BETA_MIN_SPAN = 4.0  # largest / smallest stream time of a family's rows needed to fit β beside α


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


def alpha_beta(measured_s: list[float], ideal_s: list[float]) -> tuple[float, float]:
    """Hockney's α and β fitted together on one family's rows: ``ideal_s`` = bytes / datasheet
    bandwidth; β on ``BETA_GRID`` minimising the median |log((α + ideal / β) / measured)|, α(β) the
    median of measured - ideal / β. Returns (α, β)."""
    best = (math.inf, 0.0, 1.0)
    for beta in BETA_GRID:
        alpha = statistics.median(m - i / beta for m, i in zip(measured_s, ideal_s))
        loss = statistics.median(abs(math.log(max(alpha + i / beta, 1e-12) / m)) for m, i in zip(measured_s, ideal_s))
        if loss < best[0]:
            best = (loss, alpha, beta)
    return best[1], best[2]


def memory_latencies(shaped: pl.DataFrame, registry: Path | None = None) -> pl.DataFrame:
    """Per catalog hardware of a fitted family: ``memory_latency_s`` (the family's α),
    ``gemm_memory_fraction`` (its GEMMs' β, null where the rows do not span ``BETA_MIN_SPAN``),
    ``memory_latency_rows`` and ``memory_latency_source`` (the fitted hardware and its sources)."""
    reg = registry or bundled_registry()
    family = pl.read_parquet(reg / "hardware.parquet").select(pl.col("name").alias("hardware"), "family")
    rows = latency_rows(shaped, reg).join(family, on="hardware").with_columns(
        ideal_s=pl.col("bytes") / pl.col("memory_bandwidth_bytes_per_s"))
    fits = []
    for (name,), g in rows.group_by("family"):
        ideal, measured = g["ideal_s"].to_list(), g["measured_s"].to_list()
        if max(ideal) / min(ideal) >= BETA_MIN_SPAN:
            alpha, beta = alpha_beta(measured, ideal)
        else:
            alpha, beta = float(g["latency_s"].median()), None
        fits.append({"family": name, "memory_latency_s": alpha, "gemm_memory_fraction": beta})
    fitted = rows.group_by("family").agg(
        memory_latency_rows=pl.len().cast(pl.Float64),
        memory_latency_source=pl.format("{} memory-bound GEMM rows ({}) of r-kernels/gemm.csv: {}",
                                        pl.len(), pl.col("hardware").unique().sort().str.join(", "),
                                        pl.col("source_url").unique().sort().str.join(" ")))
    fitted = fitted.join(pl.DataFrame(fits, schema={"family": pl.String, "memory_latency_s": pl.Float64,
                                                    "gemm_memory_fraction": pl.Float64}), on="family")
    return family.join(fitted, on="family").drop("family")
