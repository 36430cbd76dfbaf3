"""Wall 10 (pipeline.walls.locality) by hand."""

from __future__ import annotations

import pytest


def test_scaleout_bandwidth_per_gpu_and_oversubscription(training):
    """8 x 400 Gbit/s NICs for 8 GPUs = 50 GB/s each; a 1:7 tier leaves 50/7 GB/s (wall 10)."""
    got = training(["scaleout_bandwidth_per_gpu_bytes_per_s"], nic_bandwidth_bits_per_s=([400e9, 400e9], "bit/s"),
                   nics_per_node=([8.0, 8.0], ""), accelerators_per_node=([8.0, 8.0], ""),
                   oversubscription_ratio=([1.0, 7.0], ""))
    assert got["scaleout_bandwidth_per_gpu_bytes_per_s"] == pytest.approx([50e9, 50e9 / 7], rel=1e-12)
