"""The measured fraction of peak memory bandwidth per accelerator, for the kernel_efficiency
catalog's ``memory_fraction`` (registry_data/research/r-kernels/memory_bandwidth.csv).

Per catalog accelerator: the median of achieved / the hardware catalog's bandwidth over its
streaming benchmarks (BabelStream copy/mul/add/triad/dot on MI300X, torch ``copy_`` on
T4/L4/V100/A10/H100 PCIe/RTX 4090/M2 Ultra/M4 Max, a read-only reduction on H100 SXM5, nvbench's
element-wise relu on B200). Left out, and why: vendor acceptance floors (pass/fail minimums,
not means), rows of GEMM kernels (DeepGEMM: the bandwidth of a GEMM, not of a stream), rows
without a catalog accelerator, and the 2^24-element nvbench rows (64 MiB in and out, about
the B200's L2: launch-bound, the same source's 2^28-element row is kept). A decode GEMV or a
KV-cache read is a read stream of the same kind (weights and cache far exceed L2).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry

RESEARCH = "research/r-kernels"


def bandwidth_rows(registry: Path | None = None) -> pl.DataFrame:
    """The streaming rows kept, with ``fraction`` = achieved / the catalog's peak bandwidth."""
    reg = registry or bundled_registry()
    b = pl.read_csv(reg / RESEARCH / "memory_bandwidth.csv", infer_schema_length=0)
    peak = pl.read_parquet(reg / "hardware.parquet").select(pl.col("name").alias("hardware"),
                                                            "memory_bandwidth_bytes_per_s")
    kind = pl.col("measurement_kind")
    kept = b.filter(pl.col("hardware").is_not_null(), ~kind.str.contains("acceptance"),
                    ~pl.col("benchmark").str.contains("GEMM"), ~pl.col("kernel").str.contains(r"2\^24"))
    return kept.join(peak, on="hardware").with_columns(
        fraction=pl.col("achieved_gb_per_s").cast(pl.Float64) * 1e9 / pl.col("memory_bandwidth_bytes_per_s"))


def memory_fractions(registry: Path | None = None) -> pl.DataFrame:
    """Per hardware: ``memory_fraction`` (the median), the rows and the first row's source."""
    return bandwidth_rows(registry).group_by("hardware").agg(
        memory_fraction=pl.col("fraction").median().clip(upper_bound=1.0),
        memory_fraction_rows=pl.len(), memory_fraction_source=pl.col("source_url").first())
