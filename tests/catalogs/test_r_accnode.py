"""registry_data/research/r-accnode: the kernel fit's per-tile fixed time in seconds, and the batch-1 floor
(TensorRT's kernels x the per-call floor + weights / bandwidth), each against a hand value; the L40S finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accnode"


def _load(name: str):
    return script(HERE / f"{name}.py", f"r_accnode_{name}")


def test_tile_fixed_time_by_hand():
    """A100 int8: k_half 1,029.366 K steps x 2 x 128 x 128 FLOP per K step per tile, at 624 TOPS / 108 SMs:
    1,029.366 x 32,768 x 108 / 624e12 = 5.838 us."""
    tile = _load("tile_fixed_time")
    assert tile.tile_fixed_time_s(1029.366, 128.0, 128.0, 108.0, 624e12) == pytest.approx(5.838e-6, rel=1e-3)


def test_the_l40s_fixed_time_is_several_times_every_other_nvidia_parts():
    """README §4: on the NVIDIA HBM parts the fit's per-tile fixed time is 0.7-1.6x the per-call floor (2-6 us);
    the ridge-point law gives the L40S (GDDR6, ridge 848 FLOP/B) 18.1 us."""
    tile = _load("tile_fixed_time")
    fixed = {(hw, prec): tile.tile_fixed_time_s(k_half, tm, tn, units, peak)
             for hw, prec, units, tm, tn, k_half, alpha, peak, bandwidth in tile.rows()}
    l40s = fixed[("L40S", "int8")]
    assert l40s == pytest.approx(18.11e-6, rel=2e-3)
    hbm = {hw for hw, prec, *_, bandwidth in tile.rows() if bandwidth > 1.2e12}  # (the L40: the L40S's GDDR6)
    others = [v for (hw, prec), v in fixed.items() if prec == "int8" and hw in hbm and not hw.startswith("MI")]
    assert others and l40s > 2.3 * max(others)  # (r-accdefault's A100 40GB, HBM2 at 1.555 TB/s: 7.7 us)


def test_bert_a100_floor_by_hand():
    """README §5: 170 TensorRT kernels x 6.7738 us (the catalog's Ampere alpha) + 302,186,496 B of weights at
    2.039 TB/s + one 2.5 us replay = 1.1515 + 0.1482 + 0.0025 = 1.3022 ms; the run's shortest query 1.3176 ms."""
    stream = _load("single_stream")
    t = stream.terms("BERT-Large", "A100 SXM4 80GB", 1, None, "SQuAD v1.1")
    alpha, _ = stream.fit("A100 SXM4 80GB")
    n = stream.TRT_KERNELS["BERT-Large"]
    fixed = n * alpha + t["weight_traffic_bytes"] / t["memory_bandwidth_bytes_per_s"] + stream.REPLAY_S
    assert n == 170
    assert fixed == pytest.approx(1.3022e-3, rel=1e-3)
    assert fixed / stream.MIN_LATENCY_S[("BERT-Large", "A100 SXM4 80GB")][0] - 1 == pytest.approx(-0.012, abs=2e-3)


def test_ada_alpha_in_cycles_by_hand():
    """README §3: 6.7738 us x 1.41 GHz = 9,551 cycles; at the L40S's 2.52 GHz 3.790 us, at the L4's 2.04 GHz
    4.682 us."""
    stream = _load("single_stream")
    assert stream.ALPHA_CYCLES == pytest.approx(9551, rel=1e-3)
    assert stream.ALPHA_CYCLES / stream.CLOCK_HZ["L40S"] == pytest.approx(3.790e-6, rel=1e-3)
    assert stream.ALPHA_CYCLES / stream.CLOCK_HZ["L4"] == pytest.approx(4.682e-6, rel=1e-3)
