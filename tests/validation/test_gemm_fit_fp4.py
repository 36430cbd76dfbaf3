"""Issue 12 (fp4): FP4 GEMM kernel rows in the fit, their ceiling, and why the catalog keeps fp4 on the profile η."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import gemm_fit


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return gemm_fit.kernel_rows()


def test_fp4_rows_are_shaped_fit_rows_without_the_quantization_kernel(rows):
    """r-kernels/gemm.csv: vLLM PR #20578's nvfp4-noquant sweep (M = 1 .. 16384, 11 rows), DeepGEMM PR #348's seven
    MXF4 shapes for DeepGEMM and cuBLAS (14), FlashInfer PR #1979's one shape for two backends (2), torchao PR #2427's
    cuBLASLt square sweep 1024^3 .. 8192^3 (7, fp4gemm); the vLLM "nvfp4" column times scaled_fp4_quant too (two
    kernels) and stays out, like the FP8 rows that do."""
    fp4 = rows.filter(pl.col("precision") == "fp4")
    shaped = fp4.filter(gemm_fit.is_shaped_fit_row())
    assert shaped.height == 34
    assert shaped.group_by("source").len().sort("source")["len"].to_list() == [14, 2, 7, 11]
    assert fp4.filter(pl.col("dtype").str.contains("incl. quant")).height == 11
    assert gemm_fit.IN_BYTES["fp4"] == 0.5  # e2m1: two elements a byte


def test_fp4_rows_stay_out_of_the_memory_latency_fit():
    """The catalog's α is one per hardware, paid by every memory-bound kernel. vLLM's FP4 M = 1 row takes
    2 x 6144 x 4096 / 4.439497e12 = 11.34 µs for 12.6 MB ((4096 + 4096 x 6144) x 0.5 B + 6144 x 2 B), several times
    B200's α from its bf16/fp8 rows (1.37 µs): an FP4 GEMM's own fixed time, so shaped_rows leaves fp4 out."""
    assert "fp4" not in gemm_fit.shaped_rows()["precision"].to_list()
    b200 = load_catalogs().kernel_efficiency.filter(pl.col("hardware") == "B200 (HGX B200)")
    alpha = b200["memory_latency_s"].unique().item()
    stream = ((4096 + 4096 * 6144) * 0.5 + 6144 * 2.0) / (7.7e12 * b200["memory_fraction"].unique().item())
    assert 2 * 6144 * 4096 / 4.439497e12 - stream > 5 * alpha


def test_fp4_ceiling_is_the_fastest_published_shape(rows):
    """No FP4 MAMF is published, so fp4 does not take bf16's (1745 / 2250 = 0.776 on B200): its best fraction is
    the fastest shaped row, DeepGEMM's MXF4 8192^3 at 5702 TFLOPS of the 9 PFLOPS dense FP4 peak (Blackwell
    datasheet), and the ceiling that fraction over the model's shape factor there: 64 x 64 = 4096 tiles of 128 x 128
    over 148 SMs, no split-K, 28 waves (4096 / 4144), K 8192 / (8192 + k_half)."""
    k_half, _, ceil = gemm_fit.fit(rows)
    r = ceil.filter((pl.col("hardware") == "B200 (HGX B200)") & (pl.col("precision") == "fp4")).row(0, named=True)
    assert r["best_fraction"] == pytest.approx(5702 / 9000, rel=1e-9)
    fp4_k_half = k_half * 9.0e15 / 7.7e12
    assert r["ceiling"] == pytest.approx(5702 / 9000 / (4096 / 4144 * 8192 / (8192 + fp4_k_half)), rel=1e-9)


def test_fp4_stays_on_the_profile_eta_and_says_why():
    """B200 and GB200 have a fitted FP4 model, but it misses its held-out FP4 rows by more than 30 % (too fast)
    and made the MLPerf NVFP4 rows worse (gemm_fit.ON_PROFILE): their fp4 catalog rows keep the profile η, carry
    no GEMM parameters, and name the fitted ceiling and held-out error in their notes."""
    cat = load_catalogs().kernel_efficiency.filter(pl.col("precision") == "fp4")
    assert set(cat["efficiency_basis"]) == {"profile η"}
    assert cat["ceiling"].is_null().all() and cat["k_half"].is_null().all()
    for hw in ("B200 (HGX B200)", "GB200 NVL72 GPU"):
        notes = cat.filter(pl.col("hardware") == hw)["notes"].item()
        assert "fp4 GEMM model fitted but not used" in notes and "best_fraction 0.6336" in notes


def test_fp4_held_out_error_is_recorded_and_large(rows):
    """Leave-one-source-out over all sources: the fp4 rows' median |GEMM-time error| is 31 % (the model too fast
    on 34 rows; 77 % on the 8 with M < 256, 10 % on the 20 with M >= 1024), the other precisions' stays at 9.6 %."""
    held = gemm_fit.leave_one_source_out(rows)
    fp4 = held.filter(pl.col("precision") == "fp4")
    assert fp4.height == 34
    assert fp4["error"].abs().median() == pytest.approx(0.310, abs=0.005)
    assert fp4["error"].median() < 0.0
    assert fp4.filter(pl.col("M") < 256)["error"].abs().median() == pytest.approx(0.774, abs=0.005)
    assert fp4.filter(pl.col("M") >= 1024)["error"].abs().median() == pytest.approx(0.104, abs=0.005)
    assert held.filter(pl.col("precision") != "fp4")["error"].abs().median() == pytest.approx(0.0962, abs=0.0005)
