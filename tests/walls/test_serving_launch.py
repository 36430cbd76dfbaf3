"""Decode launches as graph replays, prefill launches eagerly, scheduler time per iteration
(issue 12 item 3; pipeline.walls.serving), checked against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit

KERNELS = 880.0  # Llama 2 70B: 80 layers x 11 kernels per transformer block
EAGER = KERNELS * 4e-6  # 3.52 ms at the 'default' profile's 4 us per eager launch


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def launches(graphs: list[bool], pp: list[float], host: list[float] | None = None) -> dict[str, list]:
    n = len(graphs)
    return evaluate(["decode_launch_overhead_s", "prefill_launch_overhead_s"],
                    decode_cuda_graphs=(graphs, None), kernel_launches=([KERNELS] * n, ""), pp=(pp, ""),
                    launch_overhead_s=([EAGER] * n, "s"), graph_launch_s=([2.5e-6] * n, "s"),
                    graph_launch_per_kernel_s=([1e-9] * n, "s"),
                    prefill_eager_host_per_kernel_s=(host or [0.0] * n, "s"))


def test_decode_replays_one_graph_per_stage_where_the_framework_captures_graphs():
    out = launches([True, True, False], [1.0, 2.0, 1.0])
    # 2.5 us + 880 x 1 ns (CUDA 12.6 straight-line graph); two stages replay two graphs
    assert out["decode_launch_overhead_s"] == pytest.approx([3.38e-6, 5.88e-6, 3.52e-3])


def test_prefill_launches_eagerly_even_where_decode_replays_graphs():
    assert launches([True, False], [1.0, 1.0])["prefill_launch_overhead_s"] == pytest.approx([3.52e-3, 3.52e-3])


def test_an_eager_prefill_pays_the_frameworks_host_cost_per_kernel():
    """sgl-project/sglang#12160: one DeepSeek-V3 prefill of one new token, 82.64 ms eager, 23.10 ms as a CUDA graph:
    59.54 ms of host time over 61 layers x 11 kernels = 671 kernels, 88.74 us each (by hand). A profile stating it
    prices a prefill's launches at 671 x 88.74 us = 59.54 ms, not at 671 x 4 us = 2.684 ms; one stating none (0) keeps
    the launch cost. Decode is untouched (graphs: one replay)."""
    per_kernel = (82.6406e-3 - 23.0978e-3) / 671  # 8.8738e-5 s
    out = evaluate(["prefill_launch_overhead_s", "decode_launch_overhead_s"],
                   decode_cuda_graphs=([True, True], None), kernel_launches=([671.0, 671.0], ""), pp=([1.0, 1.0], ""),
                   launch_overhead_s=([671 * 4e-6] * 2, "s"), graph_launch_s=([2.5e-6] * 2, "s"),
                   graph_launch_per_kernel_s=([1e-9] * 2, "s"),
                   prefill_eager_host_per_kernel_s=([per_kernel, 0.0], "s"))
    assert out["prefill_launch_overhead_s"] == pytest.approx([59.5428e-3, 2.684e-3], rel=1e-4)
    assert out["decode_launch_overhead_s"] == pytest.approx([2.5e-6 + 671e-9] * 2)


def test_itl_adds_the_scheduler_time_of_each_iteration():
    out = evaluate(["itl_s"], is_feasible=([True, True], None), decode_pass_time_s=([6e-3, 6e-3], "s"),
                   scheduler_overhead_per_iteration_s=([1e-3, 0.0], "s"))
    assert out["itl_s"] == pytest.approx([7e-3, 6e-3])


def test_the_itl_does_not_scale_with_the_eager_cost_where_decode_replays_graphs():
    out = evaluate(["elasticity_launch_overhead"], is_feasible=([True, True], None),
                   decode_cuda_graphs=([True, False], None), launch_overhead_s=([EAGER, EAGER], "s"),
                   itl_s=([2 * EAGER, 2 * EAGER], "s"))
    assert out["elasticity_launch_overhead"] == pytest.approx([0.0, 0.5])  # eager: 3.52 of 7.04 ms
