"""h2itl's memory_fraction.py (registry_data/research/r-h2itl): the H200 SXM streaming fraction it would write, from
Azure's ND H200 v5 streams, against the source's numbers by hand; and that it touches the H200 SXM rows only."""

from __future__ import annotations

import polars as pl

from tests.catalogs.research import REGISTRY, script

FOLDER = REGISTRY / "research" / "r-h2itl"


def test_fraction_is_the_median_stream_over_the_datasheet():
    """Copy 4.01, Mul 4.00, Add 4.15, Triad 4.15, Dot 4.48 TB/s: median 4.15 over 4.8 TB/s = 0.86458 (by hand)."""
    m = script(FOLDER / "memory_fraction.py", "r_h2itl_memory_fraction")
    value, rows, url = m.measured_fraction(REGISTRY)
    assert abs(value - 4.15 / 4.8) < 1e-12 and rows == 5
    assert url.startswith("https://github.com/Azure/AI-benchmarking-guide/blob/7f20e5fa")


def test_only_the_h200_sxm_rows_change():
    m = script(FOLDER / "memory_fraction.py", "r_h2itl_memory_fraction")
    kernels = pl.read_parquet(REGISTRY / "kernel_efficiency.parquet")
    out = m.with_fraction(kernels, (0.5, 5, "https://example.org/x"))
    hit = out["hardware"] == m.HARDWARE
    assert hit.sum() > 0 and (out.filter(hit)["memory_fraction"] == 0.5).all()
    assert out.filter(~hit)["memory_fraction"].equals(kernels.filter(~hit)["memory_fraction"])
