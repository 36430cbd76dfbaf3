"""Walls 8 and 9 (pipeline.walls.data) by hand."""

from __future__ import annotations

import pytest


def test_input_pipeline_utilization(training):
    """512 sequences per 2 s step on 8 nodes: 32 sequences/s per node. At 16 KB each (8,192 tokens x
    2 B), 512 KB/s against 1 GB/s of storage; at 100 sequences/s per core, 0.32 of 112 cores."""
    got = training(["storage_utilization", "host_utilization", "input_utilization"],
                   global_batch=([512.0], ""), iteration_time_s=([2.0], "s"), dp_sgd_step_multiplier=([1.0], ""),
                   nodes_used=([8.0], ""), data_bytes_per_sample=([16384.0], "B"),
                   storage_read_bandwidth_bytes_per_s=([1e9], "B/s"), data_samples_per_s_per_core=([100.0], "1/s"),
                   host_cores_per_node=([112.0], ""))
    assert got["storage_utilization"] == pytest.approx([32 * 16384 / 1e9])
    assert got["host_utilization"] == pytest.approx([0.32 / 112])
    assert got["input_utilization"] == pytest.approx([0.32 / 112])  # the busier: the host
