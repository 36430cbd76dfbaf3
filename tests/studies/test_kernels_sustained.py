"""A study's GEMMs at the power-capped (sustained) clock; the kernel study's one call in a burst (issue 12, r-srv2)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.studies.kernels import kernel_table

SIDE = pl.DataFrame({"name": ["H100 SXM5 80GB", "B200 (HGX B200)", "MI300X"], "compute_dtype": ["fp8", "bf16", "fp8"]})


@pytest.fixture(scope="module")
def kernels() -> pl.DataFrame:
    return load_catalogs().kernel_efficiency


def test_sustained_study_scales_ceiling_and_cap_by_msmf_over_mamf(kernels):
    """H100 FP8: H200's sustained 1337 TFLOPS (mamf-finder README) over H100's MAMF row 1402.6 TFLOPS (MAMF table)
    = 0.95323; B200 BF16: 1437.5 / 1745.0 = 0.82378; MI300X has no sustained row and keeps its burst ceiling."""
    burst = kernel_table(SIDE, kernels, "kernel", None, sustained=False)
    held = kernel_table(SIDE, kernels, "kernel", None)
    ratio = (held["gemm_best_fraction"] / burst["gemm_best_fraction"]).to_list()
    assert ratio == pytest.approx([1337 / 1402.6, 1437.5 / 1745.0, 1.0], rel=1e-4)
    assert (held["gemm_ceiling"] / burst["gemm_ceiling"]).to_list() == pytest.approx(ratio, rel=1e-9)
    assert burst["gemm_best_fraction"][0] == pytest.approx(1402.6e12 / 1978.9e12, rel=1e-3)  # the MAMF row itself


def test_an_eta_override_ignores_the_sustained_fraction(kernels):
    out = kernel_table(SIDE, kernels, "kernel", 0.4)
    assert out["gemm_best_fraction"].null_count() == out.height
