"""fp4floor: the per-call floor of OWN_CEILING_ONLY precisions (pipeline.validation.gemm_fit_floor), against hand
calculations on made-up rows."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import gemm_fit
from pipeline.validation.gemm_fit_floor import own_call_latencies, with_own_call_latencies

B200 = "B200 (HGX B200)"


def _rows(times_us: list[float]) -> pl.DataFrame:
    """fp4 rows on B200, M = 1, N = K = 1000 (2 MFLOP), 1 MB moved, timed at ``times_us``."""
    n = len(times_us)
    return pl.DataFrame({"hardware": [B200] * n, "precision": ["fp4"] * n, "M": [1.0] * n, "N": [1000.0] * n,
                         "K": [1000.0] * n, "bytes": [1.0e6] * n, "peak_flop_per_s": [9.0e15] * n,
                         "memory_bandwidth_bytes_per_s": [7.7e12] * n, "source_url": ["https://example.org/x"] * n,
                         "achieved_flop_per_s": [2.0e6 / (t * 1e-6) for t in times_us]})


def test_floor_is_the_median_of_time_less_streaming():
    """Hockney's α per row = time - 1 MB / (7.7 TB/s x B200's streaming fraction); the median of 5, 10 and 20 µs
    rows is the 10 µs row's α, and the whole Blackwell family (GB200 too) takes it at fp4."""
    fraction = load_catalogs().kernel_efficiency.filter(pl.col("hardware") == B200)["memory_fraction"].unique().item()
    got = own_call_latencies(_rows([5.0, 20.0, 10.0]))
    alpha = got.filter(pl.col("hardware") == B200)["memory_latency_s"].item()
    assert alpha == pytest.approx(10e-6 - 1.0e6 / (7.7e12 * fraction), rel=1e-9)
    assert got.filter(pl.col("hardware") == "GB200 NVL72 GPU")["memory_latency_s"].item() == alpha
    assert set(got["precision"]) == {"fp4"} and set(got["memory_latency_rows"]) == {3.0}


def test_compute_bound_rows_set_no_floor():
    """A row whose 2MNK / peak exceeds its streaming time is not memory-bound (latency_fit.latency_rows): M = 1024,
    N = K = 8192 at 9 PFLOPS takes 15 µs of compute for 42 MB (5.5 µs at 7.7 TB/s), so no floor comes of it."""
    row = _rows([40.0]).with_columns(M=pl.lit(1024.0), N=pl.lit(8192.0), K=pl.lit(8192.0), bytes=pl.lit(4.2e7))
    assert own_call_latencies(row).height == 0


def test_catalog_rows_without_an_own_floor_keep_theirs():
    """Only the (hardware, precision) pairs with an own floor change; bf16 keeps its α and source."""
    cat = pl.DataFrame({"hardware": [B200, B200], "precision": ["bf16", "fp4"], "memory_latency_s": [1e-6, 1e-6],
                        "memory_latency_rows": [8.0, 8.0], "memory_latency_source": ["bf16 rows", "bf16 rows"]})
    out = with_own_call_latencies(cat, _rows([10.0]))
    assert out.columns == cat.columns
    assert out.row(0) == cat.row(0)
    assert out.filter(pl.col("precision") == "fp4")["memory_latency_s"].item() > 9e-6
    assert "gemm_fit_floor" in out.filter(pl.col("precision") == "fp4")["memory_latency_source"].item()


def test_shaped_rows_of_own_are_the_fp4_rows():
    """shaped_rows_of(rows, own=True) is the OWN_CEILING_ONLY complement of shaped_rows: fp4 only, with bytes at
    0.5 B per A/B element and 2 B per C element."""
    rows = gemm_fit.kernel_rows()
    own = gemm_fit.shaped_rows_of(rows, own=True)
    assert set(own["precision"]) == {"fp4"}
    r = own.filter((pl.col("M") == 1) & (pl.col("N") == 896) & (pl.col("K") == 1024)).row(0, named=True)
    assert r["bytes"] == pytest.approx((1024 + 1024 * 896) * 0.5 + 896 * 2.0)
