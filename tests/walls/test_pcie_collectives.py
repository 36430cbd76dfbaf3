"""Wall 14 over PCIe (pipeline.walls.pcie_collectives): NCCL's LL / Simple ring all-reduce against NCCL's cost model
(src/graph/tuning.cc: baseLat[RING] LL 6.6 / Simple 8.4 us, hwLat[PCI][RING] LL 1.0 / Simple 5.7 us, LL at half the
bus bandwidth) computed by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.units import col
from pipeline.walls.communication import ring_all_reduce_s, scaleup_all_reduce_s
from pipeline.walls.pcie_collectives import pcie_ring_all_reduce_s, pcie_ring_alpha_s, pcie_ring_beta

# 8 x L40S: PCIe Gen4 x16 32 GB/s x eta_link 0.82 = 26.24 GB/s, hwLat[PCI][RING][LL] 1.0 us
FRAME = pl.DataFrame({"n": [8.0, 8.0, 1.0, 4.0], "m": [4194304.0, 16384.0, 4194304.0, 1048576.0],
                      "lat": [1e-6] * 4, "b": [26.24e9] * 4, "ranks": [8.0, 8.0, 8.0, None],
                      "socket": [16e9, 16e9, 16e9, None]})
N, M, LAT, B = col("n", ""), col("m", "B"), col("lat", "s"), col("b", "B/s")


def values(expr) -> list[float]:
    return FRAME.select(expr.magnitude("s")).to_series().to_list()


def test_pcie_ring_takes_the_cheaper_protocol():
    """4 MiB over 8 ranks: LL 20.6 us + 1.75 x 4 MiB / 13.12 GB/s = 580.0 us, Simple 88.2 us + 1.75 x 4 MiB /
    26.24 GB/s = 367.9 us: Simple. 16 KiB: LL 20.6 + 2.19 = 22.8 us, Simple 88.2 + 1.09 = 89.3 us: LL. One rank: 0."""
    got = values(pcie_ring_all_reduce_s(N, M, LAT, B))
    assert got[0] == pytest.approx(88.2e-6 + 1.75 * 4194304 / 26.24e9, rel=1e-12)
    assert got[1] == pytest.approx(20.6e-6 + 1.75 * 16384 / 13.12e9, rel=1e-12)
    assert got[2] == 0.0


def test_pcie_alpha_is_the_chosen_protocols_fixed_time_per_step():
    """Wall 21's latency part: Simple's 88.2 us over 14 steps at 4 MiB, LL's 20.6 us over 14 steps at 16 KiB."""
    got = values(pcie_ring_alpha_s(N, M, LAT, B))
    assert got[:2] == pytest.approx([88.2e-6 / 14, 20.6e-6 / 14], rel=1e-12)


def test_scaleup_all_reduce_is_the_plain_ring_off_pcie():
    """Without PCIe socket ranks (the 4-rank row) the ring 2(n-1) alpha + 2(n-1)/n M / beta; with them (8 ranks a
    socket: no crossing) NCCL's PCIe ring at the link's beta."""
    got = values(scaleup_all_reduce_s(N, M, LAT, B, col("ranks", ""), col("socket", "B/s")))
    ring = values(ring_all_reduce_s(N, M, LAT, B))
    pcie = values(pcie_ring_all_reduce_s(N, M, LAT, B))
    assert got[:3] == pcie[:3]
    assert got[3] == ring[3] == pytest.approx(6e-6 + 1.5 * 1048576 / 26.24e9, rel=1e-12)


def test_a_ring_across_sockets_runs_at_the_cpu_interconnect():
    """8 ranks, 4 a socket, NCCL's AMD_BW 16 GB/s between sockets: beta min(26.24, 16) = 16 GB/s, so 4 MiB takes
    Simple's 88.2 us + 1.75 x 4 MiB / 16 GB/s = 546.9 us (LL: 20.6 us + 1.75 x 4 MiB / 8 GB/s = 938.1 us); 4 ranks
    stay on one socket at the link's 26.24 GB/s; no socket figure: the link's."""
    frame = pl.DataFrame({"n": [8.0, 4.0, 8.0], "m": [4194304.0] * 3, "lat": [1e-6] * 3, "b": [26.24e9] * 3,
                          "ranks": [4.0, 4.0, 4.0], "socket": [16e9, 16e9, None]})
    beta = pcie_ring_beta(N, B, col("ranks", ""), col("socket", "B/s"))
    assert frame.select(beta.magnitude("B/s")).to_series().to_list() == [16e9, 26.24e9, 26.24e9]
    got = frame.select(scaleup_all_reduce_s(N, M, LAT, B, col("ranks", ""), col("socket", "B/s")).magnitude("s"))
    assert got.to_series()[0] == pytest.approx(88.2e-6 + 1.75 * 4194304 / 16e9, rel=1e-12)


def test_the_transfer_part_is_the_chosen_protocols_bandwidth_time():
    """4 MiB over 8 ranks at 16 GB/s (Simple): 1.75 x 4 MiB / 16 GB/s = 458.75 us; 16 KiB at 26.24 GB/s (LL, half the
    bandwidth): 1.75 x 16 KiB / 13.12 GB/s; one rank: 0. Wall 21's socket share reads it."""
    from pipeline.walls.pcie_collectives import pcie_ring_transfer_s

    frame = pl.DataFrame({"n": [8.0, 8.0, 1.0], "m": [4194304.0, 16384.0, 16384.0], "lat": [1e-6] * 3,
                          "b": [16e9, 26.24e9, 26.24e9]})
    got = frame.select(pcie_ring_transfer_s(N, M, LAT, B).magnitude("s")).to_series().to_list()
    assert got == pytest.approx([1.75 * 4194304 / 16e9, 1.75 * 16384 / 13.12e9, 0.0], rel=1e-12)
