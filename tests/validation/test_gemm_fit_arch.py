"""The Hopper K loop as a fixed time per tile (gemm_fit_arch): by-hand K sweeps, H100 = H200, the held-out figure."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation import gemm_fit as gf
from pipeline.validation import gemm_fit_arch as ga
from pipeline.validation import gemm_fit_tiles as gt

H100_TILE_RATE = {"16-bit": 989.4e12 / (132 * 2 * 128 * 128), "8-bit": 1978.9e12 / (132 * 2 * 128 * 128)}


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return gt.all_rows(None, xla=True)


def _k_half(k_low: float, k_high: float, ratio: float) -> float:
    """k_half from two K at one (M, N): ratio = [K_low / (K_low + h)] / [K_high / (K_high + h)], solved for h."""
    return k_low * k_high * (1.0 - ratio) / (ratio * k_high - k_low)


def test_16_bit_time_per_tile_near_xla_sm90_k_sweep(rows):
    """XLA's sm_90 b = 4, M = N = 4096 K sweep (xla_matmul.csv): 722.3 TFLOPS at K = 1,024, 788.7 at 4,096 ->
    k_half = 129.5 K steps -> / 2.2875e8 K steps/s = 0.566 µs. The Hopper 16-bit fit lands within 1.5x."""
    h = _k_half(1024.0, 4096.0, 722.329 / 788.7)
    assert h == pytest.approx(129.5, rel=0.01)
    t, _, _ = ga.fit_hopper(rows, ga.CLASSES["16-bit"])
    assert h / H100_TILE_RATE["16-bit"] / 1.5 <= t <= h / H100_TILE_RATE["16-bit"] * 1.5


def test_8_bit_time_per_tile_near_deepgemm_dense_k_sweep(rows):
    """DeepGEMM README @327ec92 (H800 SXM5, dense FP8), M = 4096, N = 7168: 1168 TFLOPS at K = 2,048, 1520 at 16,384
    -> k_half = 739 K steps -> / 4.575e8 K steps/s = 1.62 µs, above the 16-bit time. The 8-bit fit lands within
    1.5x."""
    h = _k_half(2048.0, 16384.0, 1168.0 / 1520.0)
    assert h == pytest.approx(739.0, rel=0.01)
    t8, _, _ = ga.fit_hopper(rows, ga.CLASSES["8-bit"])
    t16, _, _ = ga.fit_hopper(rows, ga.CLASSES["16-bit"])
    assert h / H100_TILE_RATE["8-bit"] / 1.5 <= t8 <= h / H100_TILE_RATE["8-bit"] * 1.5
    assert t8 > t16


def test_h100_and_h200_sxm_share_a_k_half():
    """Same GH100 die, peak and 132 SMs: one k_half per precision (the ridge form gave H200 0.70 x H100's)."""
    cat = ga.with_hopper_k_loop(gf.catalog())
    k = {(r["hardware"], r["precision"]): r["k_half"] for r in cat.filter(
        pl.col("hardware").is_in(["H100 SXM5 80GB", "H200 SXM 141GB"])).iter_rows(named=True)}
    for p in ("bf16", "fp8"):
        assert k[("H200 SXM 141GB", p)] == pytest.approx(k[("H100 SXM5 80GB", p)], rel=1e-3)
    assert k[("H100 SXM5 80GB", "fp8")] > 2.0 * k[("H100 SXM5 80GB", "bf16")]


def test_hopper_16_bit_long_rows_held_out_beat_the_ridge_form(rows):
    """Leave one source out, Hopper 16-bit rows >= 30 µs: the per-architecture time per tile beats gemm_fit's
    k_half = coefficient x ridge fitted on every source and chip."""
    hop = pl.col("hardware").is_in(list(ga.HOPPER)) & pl.col("precision").is_in(list(ga.CLASSES["16-bit"]))
    long = pl.col("measured_s") >= gt.LONG_ROW_S
    arch = ga.held_out_hopper(rows, ga.CLASSES["16-bit"]).filter(long)
    ridge = gt.held_out(rows, "ridge", alpha=False).filter(hop & long)
    assert arch.height == ridge.height > 50
    assert arch["error"].abs().median() < ridge["error"].abs().median()
