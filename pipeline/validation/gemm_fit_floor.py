"""The per-call floor of the GEMMs whose precision takes its ceiling from its own rows (``gemm_fit.OWN_CEILING_ONLY``:
FP4), fitted on their own small-M kernel rows (r-kernels/gemm.csv), never on end-to-end rows.

A block-scaled FP4 GEMM at small M does not run at bytes / (bandwidth x streaming fraction) plus the one α that the
catalog's ``memory_latency_s`` gives every memory-bound kernel of the hardware (B200: 1.4 µs, from 16-bit and FP8
GEMM sweeps): FlashInfer's mm_fp4 backends take 4.2-4.7 µs at M = 1, N = 896, K = 1,024 and 9.3-10.9 µs at
N = 512, K = 7,168 (PR #2540), whose 0.5 / 1.8 MB of weights stream in 0.1 / 0.3 µs; vLLM's CUTLASS kernel a
flat ~11.5 µs from M = 1 to 256 at N = 6,144, K = 4,096 (PR #20578). The fixed time grows with K at one M, not with
N (each CTA walks its whole K loop, scale factors beside A and B, one tile per SM at small M: r-fp4b/tile_check.py).
Here it is one Hockney α per hardware family and precision (t = α + bytes / β, Hockney 1994, Parallel
Computing 20(3)): per row α = measured time - bytes / (bandwidth x memory_fraction) on the memory-bound rows
(``pipeline.validation.latency_fit.latency_rows``: M <= 128, streaming time above 2MNK / peak), the median per
family, where it replaces the catalog's α for that precision only. An α per K is not fitted: the rows span
K = 1,024-8,192 at M = 1 and the median stands for a serving step's projections (K = 2,048-16,384).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.validation.latency_fit import memory_latencies

LATENCY_COLUMNS = ("memory_latency_s", "memory_latency_rows", "memory_latency_source")


def own_call_latencies(own: pl.DataFrame, registry: Path | None = None) -> pl.DataFrame:
    """Per (catalog hardware of a fitted family, precision) of ``own`` (``gemm_fit.shaped_rows_of(rows, own=True)``):
    the median α of its memory-bound rows, with the row count and sources (``LATENCY_COLUMNS``)."""
    return memory_latencies(own, registry, by=("precision",), note=" (its own per-call floor, gemm_fit_floor)")


def with_own_call_latencies(catalog: pl.DataFrame, own: pl.DataFrame, registry: Path | None = None) -> pl.DataFrame:
    """``catalog`` (one row per hardware x precision) with ``LATENCY_COLUMNS`` replaced by ``own_call_latencies``
    where it has a row for the (hardware, precision), else unchanged."""
    fitted = own_call_latencies(own, registry).rename({c: f"_own_{c}" for c in LATENCY_COLUMNS})
    out = catalog.join(fitted, on=["hardware", "precision"], how="left")
    has = pl.col("_own_memory_latency_s").is_not_null()
    return out.with_columns(pl.when(has).then(pl.col(f"_own_{c}")).otherwise(pl.col(c)).alias(c)
                            for c in LATENCY_COLUMNS).drop(f"_own_{c}" for c in LATENCY_COLUMNS)
