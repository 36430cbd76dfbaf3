"""Training compute and utilisation (pipeline.walls.training_compute) by hand."""

from __future__ import annotations

import pytest


def test_mfu_and_hfu(training):
    """1e18 model FLOPs (+ 1/3 recomputed) in 10 s on 1000 GPUs of 312 TFLOP/s."""
    got = training(["mfu", "hfu"], model_flop_per_step=([1e18], "FLOP"), global_batch=([1.0], ""),
                   recompute_flop_per_sequence=([1e18 / 3], "FLOP"), step_time_s=([10.0], "s"),
                   gpus=([1000.0], ""), peak_flop_per_s=([312e12], "FLOP/s"))
    assert got["mfu"][0] == pytest.approx(1e18 / (10 * 1000 * 312e12), rel=1e-12)
    assert got["hfu"][0] == pytest.approx(4 / 3 * got["mfu"][0], rel=1e-12)
