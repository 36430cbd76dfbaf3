"""Walls 15 and 19 (pipeline.walls.fragility, checkpoint) by hand: Young-Daly."""

from __future__ import annotations

import math

import pytest


def test_young_daly_checkpoint_interval_and_goodput(training):
    """Checkpoint 1 TB at 10 GB/s: delta = 100 s; node MTBF 1e7 s over 1000 nodes: M = 1e4 s.
    tau = sqrt(2 x 100 x 1e4) = 1414.2 s; waste = 100/1414.2 + (707.1 + 60)/1e4; goodput = 1/(1+waste)."""
    got = training(["cluster_mtbf_s", "checkpoint_write_time_s", "checkpoint_interval_s",
                    "checkpoint_overhead_fraction", "goodput", "expected_failures", "time_to_train_s"],
                   node_mtbf_s=([1e7], "s"), nodes_used=([1000.0], ""), checkpoint_bytes=([1e12], "B"),
                   checkpoint_storage_bandwidth_bytes_per_s=([10e9], "B/s"), restart_time_s=([60.0], "s"),
                   time_to_train_ideal_s=([1e6], "s"))
    tau = math.sqrt(2 * 100 * 1e4)
    waste = 100 / tau + (tau / 2 + 60) / 1e4
    assert got["cluster_mtbf_s"][0] == pytest.approx(1e4)
    assert got["checkpoint_interval_s"][0] == pytest.approx(tau, rel=1e-12)
    assert got["checkpoint_overhead_fraction"][0] == pytest.approx(waste, rel=1e-12)
    assert got["goodput"][0] == pytest.approx(1 / (1 + waste), rel=1e-12)
    assert got["time_to_train_s"][0] == pytest.approx(1e6 * (1 + waste), rel=1e-12)
    assert got["expected_failures"][0] == pytest.approx(1e6 * (1 + waste) / 1e4, rel=1e-12)
