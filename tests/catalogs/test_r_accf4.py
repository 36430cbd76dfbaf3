"""registry_data/research/r-accf4: form F4 of the batch-1 latency (N x alpha in cycles + the kernel fit's time
without its per-tile fixed part + one graph replay), against hand values."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import pytest
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accf4"


@pytest.fixture(scope="module")
def f4():
    yield script(HERE / "f4_single_stream.py", "r_accf4_f4_single_stream")
    sys.path.remove(str(HERE.parent / "r-accnode"))


@pytest.fixture(scope="module")
def registry(f4):
    reg = f4.registry()
    yield reg
    shutil.rmtree(reg)


def _eta(m, n, k, units=108, ceiling=0.9685669677655528):
    """The GEMM model by hand without the K loop's fixed part: 128 x 128 tiles, split-K to fill the SMs (pieces of
    K >= 256), ceiling x wave x tile efficiency."""
    tiles = math.ceil(m / 128) * math.ceil(n / 128)
    split = min(max(units // tiles, 1), max(math.ceil(k / 256), 1))
    wave = tiles * split / (math.ceil(tiles * split / units) * units)
    return ceiling * wave * m * n / (tiles * 128 * 128)


def test_f4_bert_a100_by_hand(f4, registry):
    """A100 SXM4 int8, BERT-Large at SQuAD's mean 177 tokens. The four GEMMs a layer, N with the bias column
    (QKV 3 x 1,024 + 3, MLP up 4,096 + 5): QKV 177 x 3,075 x 1,024 (2 x 25 tiles, split 2: wave 100/108,
    tile 0.664, eta 0.5958), O 177 x 1,024 x 1,024 (16 tiles, split 4, eta 0.3968), up 177 x 4,101 x 1,024
    (66 tiles, eta 0.3973), down 177 x 1,024 x 4,096 (16 tiles, split 6, eta 0.5953): 14.49 us a layer, 0.3478 ms
    for 24; the other 3.12 GFLOP (attention, norms) at the profile's eta 0.275: 18.2 us; compute 0.3660 ms >
    memory 0.2336 ms. F4 = 170 x 9,551 cycles / 1.4103 GHz (6.7738 us) + 0.3660 ms + 2.5 us + 170 ns
    = 1.5202 ms, -5.1 % of the run's p90 (1.6027 ms), +2.5 % of its mean (1.4834 ms)."""
    shapes = [(177, 3075, 1024), (177, 1024, 1024), (177, 4101, 1024), (177, 1024, 4096)]
    gemm_flop = 24 * sum(2 * m * n * k for m, n, k in shapes)
    gemm_s = 24 * sum(2 * m * n * k / (624e12 * _eta(m, n, k)) for m, n, k in shapes)
    assert gemm_s == pytest.approx(0.3478e-3, rel=1e-3)
    t = f4.evaluate("BERT-Large", "A100 SXM4 80GB", 1, 177, registry)
    compute = gemm_s + (t["step_flop"] - gemm_flop) / (624e12 * 0.275)
    assert t["compute_time_s"] == pytest.approx(compute, rel=1e-6)
    hand = 170 * 6.7738e-6 + compute + 2.5e-6 + 170e-9
    assert hand == pytest.approx(1.5202e-3, rel=1e-4)
    got = f4.priced("BERT-Large", "A100 SXM4 80GB", 1, 177, registry)
    assert got["F4"] == pytest.approx(hand, rel=1e-4)
    assert got["F4"] / f4.MEAN_LATENCY_S["A100 SXM4 80GB"] - 1 == pytest.approx(0.025, abs=1e-3)


def test_f4_counts_the_fixed_cost_once(f4, registry):
    """F0 charges the fit's k_half (5.84 us a tile on the A100, r-accnode §4) inside compute and 4 us a launch on
    264 eager kernels; F4's compute is the k_half-free fit's, strictly below F0's, and its fixed part is alpha's."""
    t0 = f4.evaluate("BERT-Large", "A100 SXM4 80GB", 1, 177, None)
    t4 = f4.evaluate("BERT-Large", "A100 SXM4 80GB", 1, 177, registry)
    assert t0["compute_time_s"] == pytest.approx(0.6553e-3, rel=1e-3)
    assert t4["compute_time_s"] < 0.6 * t0["compute_time_s"]


def test_f4_resnet_uses_the_ceiling_and_no_graph_keeps_f0(f4, registry):
    """ResNet-50 (no GEMM shapes in the model): 8.2 GFLOP at 624 TOPS x the A100 fit's ceiling 0.9686 = 13.6 us,
    below its memory time; RetinaNet (the harness runs it without a graph): F4 = F0."""
    got = f4.priced("ResNet-50", "A100 SXM4 80GB", 1, None, registry)
    t = f4.evaluate("ResNet-50", "A100 SXM4 80GB", 1, None, None)
    work = max(t["step_flop"] / (624e12 * 0.9685669677655528), t["memory_time_s"])
    assert got["F4"] == pytest.approx(50 * 6.7738e-6 + work + 2.5e-6 + 50e-9, rel=1e-4)
    retina = f4.priced("RetinaNet", "L4", 1, None, registry)
    assert retina["F4"] == retina["F0"]
