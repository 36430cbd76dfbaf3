"""Wall 10 (pipeline.walls.locality) by hand."""

from __future__ import annotations

import pytest


def test_scaleout_bandwidth_per_gpu_and_oversubscription(training):
    """8 x 400 Gbit/s NICs for 8 GPUs = 50 GB/s each; a 1:7 tier leaves 50/7 GB/s (wall 10)."""
    got = training(["scaleout_bandwidth_per_gpu_bytes_per_s"], nic_bandwidth_bits_per_s=([400e9, 400e9], "bit/s"),
                   nics_per_node=([8.0, 8.0], ""), accelerators_per_node=([8.0, 8.0], ""),
                   oversubscription_ratio=([1.0, 7.0], ""))
    assert got["scaleout_bandwidth_per_gpu_bytes_per_s"] == pytest.approx([50e9, 50e9 / 7], rel=1e-12)


def test_scaleout_beta_is_the_nic_share_at_nccls_achieved_ndr_rate(training):
    """NCCL reaches 46-49 GB/s of a 400 Gb/s (50 GB/s) NDR NIC (maintainers, nccl-tests issues #267 and #290):
    47.5 / 50 = 0.95 of the GPU's share, 50 GB/s -> 47.5 GB/s, whatever the scale-up link's eta_link."""
    got = training(["scaleout_beta_bytes_per_s"], nic_bandwidth_bits_per_s=([400e9, 400e9], "bit/s"),
                   nics_per_node=([8.0, 4.0], ""), accelerators_per_node=([8.0, 8.0], ""),
                   oversubscription_ratio=([1.0, 1.0], ""), eta_link=([0.82, 0.5], ""))
    assert got["scaleout_beta_bytes_per_s"] == pytest.approx([47.5e9, 23.75e9], rel=1e-12)
