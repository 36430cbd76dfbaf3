"""Collectives against closed forms computed by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.units import col
from pipeline.walls.collectives import (
    hierarchical_all_reduce_s,
    ring_all_gather_s,
    ring_all_reduce_s,
    ring_reduce_scatter_s,
    tree_all_reduce_s,
)

FRAME = pl.DataFrame({"n": [8.0, 1.0, 1024.0], "g": [8.0, 1.0, 8.0], "m": [1e9, 1e9, 1e9],
                      "a": [5e-6, 5e-6, 5e-6], "b": [450e9, 450e9, 450e9],
                      "ai": [10e-6, 10e-6, 10e-6], "bi": [50e9, 50e9, 50e9]})
N, G, M = col("n", ""), col("g", ""), col("m", "B")
A, B, AI, BI = col("a", "s"), col("b", "B/s"), col("ai", "s"), col("bi", "B/s")


def values(expr) -> list[float]:
    return FRAME.select(expr.magnitude("s")).to_series().to_list()


def test_ring_all_reduce_closed_form():
    """1 GB over 8 GPUs at 450 GB/s per direction, alpha 5 us: 14 x 5 us + 1.75 x 1e9 / 450e9 s."""
    assert round(values(ring_all_reduce_s(N, M, A, B))[0] * 1e3, 6) == 3.958889  # ms, as the issue states it
    assert values(ring_all_reduce_s(N, M, A, B))[0] == pytest.approx(14 * 5e-6 + 1.75 * 1e9 / 450e9, rel=1e-12)


def test_one_device_needs_no_communication():
    for fn in (ring_all_reduce_s, ring_reduce_scatter_s, ring_all_gather_s, tree_all_reduce_s):
        assert values(fn(N, M, A, B))[1] == 0.0


def test_reduce_scatter_and_all_gather_are_half_an_all_reduce():
    rs, ag, ar = (values(f(N, M, A, B))[0] for f in (ring_reduce_scatter_s, ring_all_gather_s, ring_all_reduce_s))
    assert rs == ag == pytest.approx(7 * 5e-6 + 0.875 * 1e9 / 450e9, rel=1e-12)
    assert rs + ag == pytest.approx(ar, rel=1e-12)


def test_double_binary_tree():
    """1024 ranks: 2 x log2(1024) = 20 latency steps, 2 M / beta on the wire."""
    assert values(tree_all_reduce_s(N, M, A, B))[2] == pytest.approx(20 * 5e-6 + 2 * 1e9 / 450e9, rel=1e-12)


def test_hierarchical_all_reduce():
    """1024 GPUs, 8 per node: intra-node reduce-scatter and all-gather of 1 GB (7 steps,
    7/8 of it each, at 450 GB/s, 5 us), and a ring all-reduce of 125 MB over 128 nodes
    (254 steps of 10 us, 2 x 127/128 x 125 MB at 50 GB/s)."""
    intra = 7 * 5e-6 + 7 / 8 * 1e9 / 450e9
    inter = 254 * 10e-6 + 2 * 127 / 128 * 125e6 / 50e9
    got = values(hierarchical_all_reduce_s(N, G, M, A, B, AI, BI))[2]
    assert got == pytest.approx(2 * intra + inter, rel=1e-12)


def test_all_to_all_pairwise_exchange():
    """8 ranks exchange 1 GB each: 7 steps of 5 us, 7/8 of the message on the wire at 450 GB/s."""
    from pipeline.walls.collectives import all_to_all_s

    got = values(all_to_all_s(N, M, A, B))
    assert got[0] == pytest.approx(7 * 5e-6 + 7 / 8 * 1e9 / 450e9, rel=1e-12)
    assert got[1] == 0.0
