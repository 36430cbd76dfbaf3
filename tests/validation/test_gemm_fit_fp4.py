"""Issue 12 (fp4) / issue 15 (fp4floor): FP4 GEMM kernel rows in the fit, their ceiling, their per-call floor, and fp4
on the kernel fit with bf16's power-capped share."""

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
    cuBLASLt square sweep 1024^3 .. 8192^3 (7, fp4gemm); fp4floor (r-fp4b/add_small_m_rows.py): FlashInfer PR #2540's
    15 shapes x 4 backends less the 2 cut cells (58) and vLLM PR #42235's SM100 N = 7168, K = 2048 rows, M = 1 .. 16 x
    3 backends and M = 32 x 1 (16); r-rtxfp4: NVIDIA/cutlass PR #3272's RTX PRO 6000 Blackwell Server Edition NVFP4 and
    MXFP4 rows at 8192^3 (2); r-b300gemm: AMD's Gluon blog MXFP4 row on MI355X (1) and ThunderKittens' SM103 handoff
    (HazyResearch/ThunderKittens@18e205c8 kernels/gemm/nvfp4_b300/HANDOFF.md: CUTLASS 8.342 and 7.058 PFLOP/s,
    ThunderKittens 7.74, B300 at 8192 x 8192 x 33024; 3). The vLLM "nvfp4" column times scaled_fp4_quant too (two
    kernels) and stays out."""
    fp4 = rows.filter(pl.col("precision") == "fp4")
    shaped = fp4.filter(gemm_fit.is_shaped_fit_row())
    assert shaped.height == 114
    assert shaped.group_by("source").len().sort("source")["len"].to_list() == [3, 2, 14, 60, 7, 27, 1]
    assert fp4.filter(pl.col("dtype").str.contains("incl. quant")).height == 11
    assert gemm_fit.IN_BYTES["fp4"] == 0.5  # e2m1: two elements a byte


def test_fp4_rows_set_their_own_per_call_floor_not_the_hardware_alpha():
    """The catalog's α is one per hardware, paid by every memory-bound kernel (from B200's bf16/fp8 rows: ~1 µs), so
    shaped_rows leaves fp4 out; fp4's own floor (gemm_fit_floor) replaces it at fp4 only. vLLM's FP4 M = 1 row takes
    2 x 6144 x 4096 / 4.439497e12 = 11.34 µs for 12.6 MB ((4096 + 4096 x 6144) x 0.5 B + 6144 x 2 B); FlashInfer PR
    #2540's M = 1, N = 896, K = 1024 cudnn row 4.176 µs for 0.46 MB: both far above α + their streaming time."""
    assert "fp4" not in gemm_fit.shaped_rows()["precision"].to_list()
    b200 = load_catalogs().kernel_efficiency.filter(pl.col("hardware") == "B200 (HGX B200)",
                                                    pl.col("efficiency_basis") != "attention fit")  # r-fa2bw's rows
    alpha = b200.filter(pl.col("precision") == "bf16")["memory_latency_s"].item()
    fp4_alpha = b200.filter(pl.col("precision") == "fp4")["memory_latency_s"].item()
    stream = ((4096 + 4096 * 6144) * 0.5 + 6144 * 2.0) / (7.7e12 * b200["memory_fraction"].unique().item())
    assert 2 * 6144 * 4096 / 4.439497e12 - stream > 5 * alpha
    assert 4 * alpha < fp4_alpha < 2 * 6144 * 4096 / 4.439497e12
    assert b200.filter(pl.col("precision") == "fp8")["memory_latency_s"].item() == alpha


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


def test_fp4_runs_on_the_kernel_fit_at_bf16s_sustained_share():
    """fp4floor: with its own per-call floor, B200 and GB200 FP4 GEMMs take the kernel fit (gemm_fit.ON_PROFILE is
    empty) and hold bf16's MSMF share under load (the power cap binds on the chip: r-fp4 section 3); stas00's B200
    MSMF 1437.5 of the 2250 TFLOPS bf16 peak over bf16's best fraction 1746.7 / 2250 = 1437.5 / 1746.7 = 0.823.
    B300 has its own fp4 rows (r-b300gemm): its best fraction is CUTLASS's 8342 TFLOPS (ThunderKittens' SM103
    handoff) of its 13.5 PFLOPS dense FP4 peak (the hardware catalog, nvidia.com/en-us/data-center/hgx), and GB300
    takes B300's along the TRANSFER chain GB300 -> B300; B300's own bf16 share (r-fp8sus2: MSMF 1519 over its MAMF
    row's 1769 = 0.8587), GB300 by TRANSFER."""
    cat = load_catalogs().kernel_efficiency.filter(pl.col("precision") == "fp4")
    assert gemm_fit.ON_PROFILE == ()
    share = {"B200 (HGX B200)": 1437.5 / 1746.7, "GB200 NVL72 GPU": 1437.5 / 1746.7, "B300 (HGX B300)": 1519 / 1769,
             "GB300 NVL72 GPU": 1519 / 1769}
    best = {"B200 (HGX B200)": 5702 / 9000, "GB200 NVL72 GPU": 5702 / 9000, "B300 (HGX B300)": 8342 / 13500,
            "GB300 NVL72 GPU": 8342 / 13500}
    for hw, sustained in share.items():
        r = cat.filter(pl.col("hardware") == hw).row(0, named=True)
        assert r["efficiency_basis"] == "kernel fit"
        assert r["best_fraction"] == pytest.approx(best[hw], rel=1e-9)
        assert r["sustained_fraction"] == pytest.approx(sustained, rel=2e-3)
        assert "fp4 GEMM model fitted on its own rows" in r["notes"]
        assert "gemm_fit_floor" in r["memory_latency_source"]


def test_fp4_held_out_error_is_recorded(rows):
    """Leave-one-source-out over all sources: the fp4 rows' median |GEMM-time error| without the per-call floor is
    60 % (the model too fast on 114 rows; 79 % on the 50 with M < 256, 13 % on the 26 with M >= 1024: r-rtxfp4's two
    RTX PRO 6000 rows, held out, fall back to the default ceiling and come out 36-37 % too slow; 61 % and 12 % on
    111 and 23 before r-b300gemm's three B300 rows), the other precisions' 9.2 % (9.6 before r-b300gemm's MI355X
    rows; fp4 rows stay out of the k_half coefficient)."""
    held = gemm_fit.leave_one_source_out(rows)
    fp4 = held.filter(pl.col("precision") == "fp4")
    assert fp4.height == 114
    assert fp4["error"].abs().median() == pytest.approx(0.601, abs=0.005)
    assert fp4["error"].median() < 0.0
    assert fp4.filter(pl.col("M") < 256)["error"].abs().median() == pytest.approx(0.793, abs=0.005)
    assert fp4.filter(pl.col("M") >= 1024)["error"].abs().median() == pytest.approx(0.134, abs=0.005)
    assert held.filter(pl.col("precision") != "fp4")["error"].abs().median() == pytest.approx(0.0919, abs=0.0005)
