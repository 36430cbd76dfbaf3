"""registry_data/research/r-accrest: RetinaNet SingleStream priced conv by conv (the kernel fit's GEMM model on
each conv as an implicit GEMM, + input copy + NMS read), against hand values."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accrest"


@pytest.fixture(scope="module")
def rn():
    yield script(HERE / "retinanet_layers_priced.py", "r_accrest_retinanet_layers_priced")
    for folder in ("r-accf4", "r-mlpmodels", "r-accnode"):
        if str(HERE.parent / folder) in sys.path:
            sys.path.remove(str(HERE.parent / folder))


def test_convs_are_the_catalog_layer_list(rn):
    """111 convs whose FLOP sum to the catalog's 402.4 GFLOP (2 x 201.21 GMACs, r-mlpmodels); at batch 4 every
    conv's M and FLOP are 4x, its weights counted once."""
    one, four = rn.convs(), rn.convs(4)
    assert one.height == 111
    assert one["flop"].sum() == pytest.approx(402416789504.0, rel=1e-12)
    assert four["flop"].sum() == pytest.approx(4 * 402416789504.0, rel=1e-12)
    assert (four["m"] / one["m"]).to_list() == [4.0] * 111


def test_p3_class_conv_on_a100_by_hand(rn):
    """The P3 classification output conv on the A100 SXM4 (int8 kernel fit: 108 SMs, 128 x 128 tiles, ceiling
    0.96857, k_half 1,029.37 at 16-bit C, halved for TensorRT's int8 C): M = 100 x 100, N = 9 x 264 = 2,376,
    K = 256 x 9 = 2,304. Tiles 79 x 19 = 1,501 in 14 waves of 108 (0.99272), tile share 23.76 M / (1,501 x
    16,384) = 0.96615, K loop 2,304 / (2,304 + 514.68) = 0.81740: eta 0.75935; 109.49 GFLOP / (624 T x eta)
    = 0.23106 ms."""
    tiles = math.ceil(10000 / 128) * math.ceil(2376 / 128)
    wave = tiles / (math.ceil(tiles / 108) * 108)
    eta = 0.9685669677655528 * wave * (10000 * 2376 / (tiles * 128 * 128)) * (2304 / (2304 + 1029.3660875298044 / 2))
    assert (tiles, round(eta, 5)) == (1501, 0.75935)
    hand = 2 * 10000 * 2376 * 2304 / (624e12 * eta)
    assert hand == pytest.approx(0.23106e-3, rel=1e-4)
    p = rn.fit("A100 SXM4 80GB")
    got = rn.layer_times("A100 SXM4 80GB", p["k_half"] / 2).filter(
        (rn.pl.col("m") == 10000) & (rn.pl.col("n") == 2376))
    assert got.height == 1
    assert got["compute_s"][0] == pytest.approx(hand, rel=1e-9)
    assert got["time_s"][0] == pytest.approx(hand, rel=1e-9)    # compute-bound: 31.8 MB at 2.039 TB/s is 15.6 us


def test_fixed_terms_by_hand(rn):
    """L4: the 800 x 800 x 3 int8 input over the 32 GB/s host link, 60 us; the NMS's read of 9 x 264 x 13,343
    int8 scores (P3-P7: 100^2 + 50^2 + 25^2 + 13^2 + 7^2 positions) = 31.70 MB at 300 GB/s x the node study's
    eta_memory; A100 SXM: no copy (start_from_device). Unfitted parts take k_half = (A100's k_half / ridge) x
    their ridge: L4 3.3636 x 808.33 = 2,719."""
    fx = rn.fixed_s("L4")
    assert fx["copy"] == pytest.approx(1.92e6 / 32e9, rel=1e-12)
    assert fx["nms"] == pytest.approx(31702968 / (300e9 * rn.eta_memory("L4")), rel=1e-12)
    assert rn.fixed_s("A100 SXM4 80GB")["copy"] == 0.0
    k = 1029.3660875298044 / (624e12 / 2.039e12)
    assert rn.fit("L4")["k_half"] == pytest.approx(k * 242.5e12 / 300e9, rel=1e-9)
    assert rn.fit("L4")["k_half"] == pytest.approx(2719, abs=1)


def test_r2_adds_alpha_in_cycles_per_conv(rn):
    """R2 = sum of the convs at k_half = 0 + 111 x alpha + the fixed terms; alpha on the L40S is 9,555 A100
    cycles at 2.52 GHz = 3.79 us (r-accnode §3)."""
    alpha = rn.ss.ALPHA_CYCLES / rn.ss.CLOCK_HZ["L40S"]
    assert alpha == pytest.approx(3.79e-6, rel=2e-3)
    convs = rn.layer_times("L40S", rn.f4.NO_K_HALF)["time_s"].sum()
    got = rn.priced("L40S")
    assert got["R2"] == pytest.approx(convs + 111 * alpha + sum(rn.fixed_s("L40S").values()), rel=1e-12)
    assert got["R1w"] > got["R1"] > got["R2"]    # k_half at 16-bit C > at 8-bit C > 0 with alpha


def test_k_half_in_cycles_by_hand(rn):
    """R4's k_half: the A100 fit's tile fixed time t_fix = 1,029.37 x 2 x 128 x 128 x 108 / 624 T = 5.838 us
    (r-accnode §4) = 8,235 cycles at 1.4106 GHz (624 T / (108 x 4,096)); on the L40S at 2.5205 GHz (733 T /
    (142 x 2,048)) 3.267 us = 3.267 us x 733 T / (2 x 128 x 128 x 142) = 514.7 K steps (ridge law: 2,853.6).
    On the A100 the cycle law gives back the fit's own k_half."""
    t_fix = 1029.3660875298044 * 2 * 128 * 128 * 108 / 624e12
    assert t_fix == pytest.approx(5.838e-6, rel=1e-3)
    a100_hz, l40s_hz = 624e12 / (108 * 4096), 733e12 / (142 * 2048)
    hand = t_fix * a100_hz / l40s_hz * 733e12 / (2 * 128 * 128 * 142)
    assert hand == pytest.approx(514.7, abs=0.1)
    assert rn.fit("L40S")["k_half_cycles"] == pytest.approx(hand, rel=1e-9)
    assert rn.fit("L40S")["k_half"] == pytest.approx(2853.6, abs=0.1)
    assert rn.fit("A100 SXM4 80GB")["k_half_cycles"] == pytest.approx(1029.3660875298044, rel=1e-9)


def test_r5_replaces_each_convs_first_wave_fixed_part_by_alpha(rn):
    """R5 = R4 - sum over convs of (time at k_half - time at k_half 0) / waves: the P3 class conv on the A100 runs
    1,501 tiles in ceil(1,501 / 108) = 14 waves; a P7 conv (49 rows, 256 columns: 2 tiles, split-K 9 pieces of
    256 of K = 2,304) in one wave, where R5 keeps only its k_half = 0 time (+ alpha, as F4)."""
    hw = "A100 SXM4 80GB"
    cyc = rn.layer_times(hw, rn.fit(hw)["k_half_cycles"] / 2)
    zero = rn.layer_times(hw, rn.f4.NO_K_HALF)
    p3 = cyc.filter((rn.pl.col("m") == 10000) & (rn.pl.col("n") == 2376))
    assert p3["waves"][0] == 14
    p7 = cyc.filter((rn.pl.col("m") == 49) & (rn.pl.col("n") == 256) & (rn.pl.col("k") == 2304))
    assert set(p7["waves"].to_list()) == {1}
    got = rn.priced(hw)
    first = ((cyc["time_s"] - zero["time_s"]) / cyc["waves"]).sum()
    assert got["R4"] - got["R5"] == pytest.approx(first, rel=1e-9)
    assert 0 < first < (cyc["time_s"] - zero["time_s"]).sum()   # some convs run more than one wave


def test_software_ratio_by_hand(rn):
    """Offline per GPU, TensorRT 8.6 -> 9.x / 10.x on the same chip (medians of each side's runs): L4 225.923 /
    median(179.492, 173.985) = 1.2783; H100 SXM 14,405.1 / 8 / median(1,478.64, 12,164.1 / 8) = 1.2008; H100 PCIe
    median(1,157.38, 1,174.61, 1,172.64) / median(958.97, 961.62, 996.82) = 1,172.64 / 961.62 = 1.2194; median
    1.2194."""
    l4 = 225.923 / ((179.492 + 173.985) / 2)
    h100_sxm = 14405.1 / 8 / ((1478.64 + 12164.1 / 8) / 2)
    h100_pcie = 4690.54 / 4 / 961.62
    assert (round(l4, 4), round(h100_sxm, 4), round(h100_pcie, 4)) == (1.2783, 1.2008, 1.2194)
    assert rn.software_ratio() == pytest.approx(h100_pcie, rel=1e-12)


@pytest.fixture(scope="module")
def rs(rn):
    return script(HERE / "resnet_layers_priced.py", "r_accrest_resnet_layers_priced")


def test_resnet50_layers_are_the_catalog_flop(rs):
    """torchvision ResNet-50 at 224 px: 53 convs + the fc (2,048 -> 1,000 at one position) = 4.0891 GMACs, the
    catalog's 8.178 GFLOP (r-mlpmodels' walker reproduces torchvision's 4.089 GMACs)."""
    layers = rs.layers()
    assert len(layers) == 54
    assert sum(2 * c.macs for c in layers) == pytest.approx(8.178e9, rel=2e-4)
    fc = layers[-1]
    assert (fc.c_in, fc.c_out, fc.k, fc.h_out, fc.macs) == (2048, 1000, 1, 1, 2048000)


def test_resnet50_g4_g5_by_their_terms(rs):
    """G4 = sum of the layers at k_half in cycles + 54 alphas + one replay (2.5 us + 54 ns); G5 = G4 less each
    layer's first wave's fixed part. On the A100 54 alphas are 54 x 6.7738 us = 0.3658 ms."""
    hw = "A100 SXM4 80GB"
    reg = rs.f4.registry()
    try:
        got = rs.priced(hw, reg)
    finally:
        rs.f4.shutil.rmtree(reg)
    p = rs.rn.fit(hw)
    cyc = rs.rn.layer_times(hw, p["k_half_cycles"] / 2, 1, rs.layers())
    zero = rs.rn.layer_times(hw, rs.f4.NO_K_HALF, 1, rs.layers())
    alpha = rs.ss.ALPHA_CYCLES / rs.ss.CLOCK_HZ[hw]
    assert 54 * alpha == pytest.approx(0.3658e-3, rel=1e-3)
    g4 = cyc["time_s"].sum() + 54 * alpha + 2.5e-6 + 54e-9
    assert got["G4"] == pytest.approx(g4, rel=1e-12)
    assert got["G5"] == pytest.approx(g4 - ((cyc["time_s"] - zero["time_s"]) / cyc["waves"]).sum(), rel=1e-12)
