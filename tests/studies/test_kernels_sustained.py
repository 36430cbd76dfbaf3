"""A study's GEMMs at the power-capped (sustained) clock; the kernel study's one call in a burst (issue 12, r-srv2)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.kernels import kernel_table

SIDE = pl.DataFrame({"name": ["H100 SXM5 80GB", "B200 (HGX B200)", "MI300X"], "compute_dtype": ["fp8", "bf16", "bf16"]})


@pytest.fixture(scope="module")
def kernels() -> pl.DataFrame:
    return load_catalogs().kernel_efficiency


def test_sustained_study_scales_ceiling_and_cap_by_msmf_over_mamf(kernels):
    """H100 FP8: H200's sustained 1337 TFLOPS (mamf-finder README) over H100's MAMF row 1402.6 TFLOPS (MAMF table)
    = 0.95323; B200 BF16: 1437.5 / 1745.0 = 0.82378; MI300X BF16 has no sustained row (its FP8 has,
    r-hwerr) and keeps its burst ceiling."""
    burst = kernel_table(SIDE, kernels, "kernel", None, sustained=False)
    held = kernel_table(SIDE, kernels, "kernel", None)
    ratio = (held["gemm_best_fraction"] / burst["gemm_best_fraction"]).to_list()
    assert ratio == pytest.approx([1337 / 1402.6, 1437.5 / 1745.0, 1.0], rel=1e-4)
    assert (held["gemm_ceiling"] / burst["gemm_ceiling"]).to_list() == pytest.approx(ratio, rel=1e-9)
    assert burst["gemm_best_fraction"][0] == pytest.approx(1402.6e12 / 1978.9e12, rel=1e-3)  # the MAMF row itself


def test_an_eta_override_ignores_the_sustained_fraction(kernels):
    out = kernel_table(SIDE, kernels, "kernel", 0.4)
    assert out["gemm_best_fraction"].null_count() == out.height


def _gemm_time_s(params: dict, m: float, n: float, k: float) -> float:
    """One fp8 GEMM's roofline time on H100 SXM5 (1978.9 TFLOPS fp8, 3.35 TB/s): the kernel fit's η for its
    shape against the weights it reads (N K bytes) at the catalog's streaming fraction plus one kernel's α."""
    from pipeline.units import col
    from pipeline.walls.gemm import gemm_capped_efficiency
    from pipeline.walls.kernel_calls import latency_roofline_time_s
    frame = pl.DataFrame({"m": [m], "n": [n], "k": [k], "flop": [2 * m * n * k], "bytes": [n * k],
                          "peak": [1978.9e12], "bw": [3.35e12], "eta_m": [0.9356119402985075],
                          **{c: [params[c]] for c in ("gemm_units", "gemm_tile_m", "gemm_tile_n", "gemm_ceiling",
                                                      "gemm_k_half", "gemm_best_fraction", "memory_latency_s")}})
    eta = gemm_capped_efficiency(*(col(c, "") for c in ("m", "n", "k", "gemm_units", "gemm_tile_m", "gemm_tile_n",
                                                        "gemm_ceiling", "gemm_k_half", "gemm_best_fraction")))
    time = latency_roofline_time_s(col("flop", "FLOP"), col("bytes", "B"), col("peak", "FLOP/s"), eta,
                                   col("bw", "B/s"), col("eta_m", ""), 1.0, col("memory_latency_s", "s"))
    return frame.select(time.expr).item()


def test_the_power_capped_clock_slows_compute_bound_gemms_only(kernels):
    """The cap binds only where the SMs are busy: memory-bound decode draws 137-300 W of an H200's 700 W and
    never triggers it (Ma et al. 2026, arXiv:2605.11999, abstract), and the study's roofline takes the memory
    side there. By hand, H100 fp8 (tile 128, 132 SMs, ceiling 0.92470, k_half 1986.9, MAMF cap 0.70878):
    decode M = 64, N = K = 8192: 64 tiles of 64 x 128, split-K 2, waves 128 / 132, K eff 4096 / 6082.9:
    η 0.6038 (0.5755 sustained), compute 7.2 (7.5) µs < memory 4.107 µs + 67.1 MB / (3.35 TB/s x 0.93561)
    = 25.52 µs: the same time. Prefill M = 8192: η min(0.7217, 0.70878) = 0.70878, compute 0.784 ms > 64 µs
    of memory: sustained 1 / 0.95323 = 1.0491 x longer."""
    burst = kernel_table(SIDE.head(1), kernels, "kernel", None, sustained=False).row(0, named=True)
    held = kernel_table(SIDE.head(1), kernels, "kernel", None).row(0, named=True)
    decode = [_gemm_time_s(p, 64, 8192, 8192) for p in (burst, held)]
    assert decode == pytest.approx([4.107e-6 + 67108864 / (3.35e12 * 0.93561)] * 2, rel=1e-3)
    prefill = [_gemm_time_s(p, 8192, 8192, 8192) for p in (burst, held)]
    assert prefill[0] == pytest.approx(2 * 8192**3 / (1978.9e12 * 0.70878), rel=1e-4)
    assert prefill[1] / prefill[0] == pytest.approx(1402.6 / 1337, rel=1e-4)
