"""The GEMM shape model against hand calculations (tile, wave, split-K, K loop)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import col, unit
from pipeline.walls.gemm import gemm_efficiency, gemm_split_k, gemm_tiles, gemm_wave_efficiency


def _eval(expr, **columns: float) -> float:
    return pl.DataFrame({k: [float(v)] for k, v in columns.items()}).select(expr.expr).item()


def _c(name: str):
    return col(name, "")


def test_wave_quantization_of_a_4096_square_on_132_sms():
    """M = N = 4096 with 128x128 tiles: 32 x 32 = 1024 tiles; on 132 SMs ceil(1024/132) = 8
    waves; efficiency 1024 / (8 x 132) = 0.9697."""
    tiles = gemm_tiles(_c("m"), _c("n"), _c("tm"), _c("tn"))
    assert _eval(tiles, m=4096, n=4096, tm=128, tn=128) == 1024
    wave = gemm_wave_efficiency(_c("tiles"), _c("units"))
    assert _eval(wave, tiles=1024, units=132) == pytest.approx(1024 / (8 * 132))
    assert _eval(wave, tiles=1024, units=132) == pytest.approx(0.9697, abs=1e-4)


def test_one_tile_too_many_costs_a_whole_wave():
    """133 tiles on 132 SMs: 2 waves, 133 / 264 = 0.504."""
    assert _eval(gemm_wave_efficiency(_c("t"), _c("u")), t=133, u=132) == pytest.approx(133 / 264)


def test_split_k_fills_the_sms_when_tiles_are_few():
    """M = 64, N = 2112 (17 tiles of 64x128) on 132 SMs: floor(132 / 17) = 7 K pieces; K = 7168 allows
    ceil(7168 / 256) = 28, so 7; a 4096-square (1024 tiles) is not split."""
    split = gemm_split_k(_c("tiles"), _c("k"), _c("units"))
    assert _eval(split, tiles=17, k=7168, units=132) == 7
    assert _eval(split, tiles=1024, k=4096, units=132) == 1
    assert _eval(split, tiles=1, k=256, units=132) == 1  # a K of one piece cannot split


def test_efficiency_multiplies_ceiling_wave_tile_and_k_loop():
    """M = N = K = 4096, 128x128 tiles, 132 SMs, ceiling 0.9, k_half 512: 0.9 x 0.9697 x 1 x 4096/4608."""
    eff = gemm_efficiency(_c("m"), _c("n"), _c("k"), _c("units"), _c("tm"), _c("tn"), _c("ceil"), _c("kh"))
    value = _eval(eff, m=4096, n=4096, k=4096, units=132, tm=128, tn=128, ceil=0.9, kh=512)
    assert value == pytest.approx(0.9 * (1024 / 1056) * (4096 / 4608))


def test_a_single_row_pads_to_a_64_row_tile():
    """M = 1, N = 128 x 132, K = 4096: 132 tiles of 64 x 128, one wave, no split; tile efficiency 1/64."""
    eff = gemm_efficiency(_c("m"), _c("n"), _c("k"), _c("units"), _c("tm"), _c("tn"), _c("ceil"), _c("kh"))
    value = _eval(eff, m=1, n=128 * 132, k=4096, units=132, tm=128, tn=128, ceil=1.0, kh=0.0)
    assert value == pytest.approx(1 / 64)


def test_no_shape_runs_faster_than_the_best_measured_shape():
    """A100 SXM4: MAMF 271.2 of 312 TFLOPS = 0.869 (gemm.csv); at M = N = 8640, K = 65536 the
    uncapped model gives 1.0 x 1 x 1 x 65536/67584 = 0.970 (8640 = 67.5 tiles of 128 -> 68 x 68 = 4624
    tiles on 108 SMs: 43 waves, 4624 / 4644 = 0.9957; tile 8640^2 / (68 x 128)^2 = 0.9853), so the
    cap binds; a 128-square (one tile, K = 256) stays far below it."""
    from pipeline.walls.gemm import gemm_capped_efficiency

    eff = gemm_capped_efficiency(_c("m"), _c("n"), _c("k"), _c("units"), _c("tm"), _c("tn"), _c("ceil"), _c("kh"),
                                 _c("best"))
    big = dict(m=8640, n=8640, k=65536, units=108, tm=128, tn=128, ceil=1.0, kh=2048, best=271.2 / 312)
    assert _eval(eff, **big) == pytest.approx(271.2 / 312)
    small = dict(big, m=128, n=128, k=256)
    assert _eval(eff, **small) == pytest.approx(1.0 * (1 / 108) * 1.0 * 256 / (256 + 2048))


def test_k_half_of_an_8_bit_epilogue_is_half_the_fits():
    """The fit's k_half is a tile whose epilogue stores 2-byte C: H100 SXM int8's 1986.9 K steps become
    1986.9 x 1 / 2 = 993.5 with an int8 C, and stay 1986.9 with a 16-bit C. BERT-Large's FFN-up GEMM
    (K = 1024) then runs its K loop at 1024 / (1024 + 993.5) = 0.5076 instead of 1024 / 3010.9 = 0.3401."""
    from pipeline.walls.gemm import gemm_k_efficiency, gemm_k_half_at_output

    half = gemm_k_half_at_output(col("k_half", ""), col("out", "B/elem"))
    assert _eval(half, k_half=1986.9, out=1.0) == pytest.approx(993.45)
    assert _eval(half, k_half=1986.9, out=2.0) == pytest.approx(1986.9)
    k_eff = gemm_k_efficiency(_c("k"), half)
    assert _eval(k_eff, k=1024, k_half=1986.9, out=1.0) == pytest.approx(0.5076, abs=1e-4)
    assert _eval(k_eff, k=1024, k_half=1986.9, out=2.0) == pytest.approx(0.3401, abs=1e-4)


def test_a_pass_holds_its_gemm_tiles_and_split_as_columns():
    """``decode_qkv_proj`` at M = 64, N = 2112, K = 7168 on 132 SMs, 128 x 128 tiles, ceiling 0.9,
    k_half 512, best shape 0.85, multiplier 1: 64 rows fit one 64-row tile, so 1 x ceil(2112/128) = 17
    tiles, floor(132/17) = 7 K pieces (ceil(7168/256) = 28 allow it); η = 0.9 x (119/132 waves) x
    (64·2112 / (17·64·128) tile) x (1024/1536 K loop) = 0.5250, under 0.85. M = 0.5 counts as one row
    (the same 17 tiles, tile efficiency 1·2112 / (17·64·128)). Without kernel parameters (units null) the
    profile's η, 0.6."""
    p = "decode_qkv_proj"
    frame = pl.DataFrame({f"{p}_gemm_m": [64.0, 0.5, 64.0], f"{p}_gemm_n": [2112.0] * 3, f"{p}_gemm_k": [7168.0] * 3,
                          "gemm_units": [132.0, 132.0, None], "gemm_tile_m": [128.0] * 3, "gemm_tile_n": [128.0] * 3,
                          "gemm_ceiling": [0.9] * 3, "gemm_k_half": [512.0] * 3, "gemm_best_fraction": [0.85] * 3,
                          "framework_eta_multiplier": [1.0] * 3, "eta_compute": [0.6] * 3})
    out = formulas.plan(frame.lazy(), {c: unit("") for c in frame.columns},
                        [f"{p}_gemm_tiles", f"{p}_gemm_split_k", f"{p}_gemm_tile_efficiency",
                         f"{p}_eta_compute"]).frame.collect()
    assert out[f"{p}_gemm_tiles"].to_list()[:2] == [17.0, 17.0]
    assert out[f"{p}_gemm_split_k"].to_list()[:2] == [7.0, 7.0]
    assert out[f"{p}_gemm_tile_efficiency"].to_list()[:2] == pytest.approx([2112 / 2176, 2112 / (2176 * 64)])
    by_hand = 0.9 * (119 / 132) * (64 * 2112 / (17 * 64 * 128)) * (1024 / 1536)
    assert out[f"{p}_eta_compute"].to_list()[0] == pytest.approx(by_hand)
    assert by_hand == pytest.approx(0.5250, abs=1e-4)
    assert out[f"{p}_eta_compute"].to_list()[2] == 0.6
