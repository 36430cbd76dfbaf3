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
