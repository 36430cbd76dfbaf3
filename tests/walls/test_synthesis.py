"""Wall 22 (synthesis) on rows stated by hand: the required peak is peak x compute time / the
budget left once the un-scalable terms are kept, for the kernel compute model's per-operator
compute time and the profile η's alike."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit

OUT = ["target_latency_s", "required_peak_flop_per_s", "required_memory_bandwidth_bytes_per_s", "synthesis_note"]
MS = 1e-3


def synthesize(rows: list[dict]) -> dict[str, list]:
    units = {"latency_s": "s", "synthesis_target_fraction": "", "launch_overhead_s": "s", "memory_time_s": "s",
             "elementwise_time_s": "s", "compute_time_s": "s", "peak_flop_per_s": "FLOP/s",
             "memory_bandwidth_bytes_per_s": "B/s", "gradient_exposed_time_s": "s"}
    frame = pl.DataFrame(rows)
    plan = formulas.plan(frame.lazy(), {k: unit(u) for k, u in units.items()}, OUT)
    return plan.frame.collect().to_dict(as_series=False)


def row(compute_ms, memory_ms, elementwise_ms, launch_ms, peak=1e15, bandwidth=2e12, network_ms=0.0):
    latency = max(compute_ms, memory_ms) + elementwise_ms + launch_ms + network_ms  # wall 3
    return {"latency_s": latency * MS, "synthesis_target_fraction": 0.8, "launch_overhead_s": launch_ms * MS,
            "memory_time_s": memory_ms * MS, "elementwise_time_s": elementwise_ms * MS,
            "compute_time_s": compute_ms * MS, "peak_flop_per_s": peak, "memory_bandwidth_bytes_per_s": bandwidth,
            "gradient_exposed_time_s": network_ms * MS}


def test_the_exposed_gradient_all_reduce_is_kept_like_the_launches():
    """Compute 8 ms, memory 2 ms, a 2 ms all-reduce: latency 10 ms, target 8 ms; the FLOP/s budget is 8 - 2 = 6 ms,
    peak' = 1e15 x 8 / 6; bandwidth cannot reach it (compute alone, 8 ms, fills the 6 ms left)."""
    out = synthesize([row(8.0, 2.0, 0.0, 0.0, network_ms=2.0)])
    assert out["required_peak_flop_per_s"][0] == pytest.approx(1e15 * 8 / 6, rel=1e-12)
    assert out["required_memory_bandwidth_bytes_per_s"][0] is None


def test_required_peak_inverts_the_kernel_models_per_operator_compute_time():
    # kernel model: two GEMMs at their own shape's η on a 1e15 FLOP/s part,
    # 2e12 FLOP at η 0.8 (2.5 ms) + 1e12 FLOP at η 0.2 (5 ms) = 7.5 ms; memory 2 ms, launches 0.5 ms
    compute_ms = 2e12 / (1e15 * 0.8) / MS + 1e12 / (1e15 * 0.2) / MS
    assert compute_ms == pytest.approx(7.5)
    out = synthesize([row(compute_ms, 2.0, 0.0, 0.5)])
    # latency 8 ms, target 6.4 ms, budget 6.4 - 0.5 = 5.9 ms: peak' = 1e15 x 7.5 / 5.9
    assert out["target_latency_s"][0] == pytest.approx(6.4e-3)
    assert out["required_peak_flop_per_s"][0] == pytest.approx(1.2711864406779661e15, rel=1e-12)
    # the old form FLOPs / (η budget) at one η (3e12 FLOP at 0.3) would ask 1.69e15: 33 % too much here
    assert 3e12 / (0.3 * 5.9e-3) / out["required_peak_flop_per_s"][0] == pytest.approx(1.333, abs=1e-3)
    # compute alone (7.5 ms) exceeds the bandwidth budget (8 x 0.8 - 0.5 = 5.9 ms): bandwidth cannot reach it
    assert out["required_memory_bandwidth_bytes_per_s"][0] is None
    assert out["synthesis_note"][0] == "only more FLOP/s reaches the target"


def test_the_profile_eta_row_gives_the_seeds_flop_over_eta_budget():
    # profile η: 3e12 FLOP at η 0.3 on 1e15 FLOP/s = 10 ms; memory 1 ms; target 8 ms, nothing else
    out = synthesize([row(10.0, 1.0, 0.0, 0.0)])
    assert out["required_peak_flop_per_s"][0] == pytest.approx(3e12 / (0.3 * 8e-3), rel=1e-12)  # 1.25e15


def test_required_bandwidth_keeps_compute_and_launches_and_scales_both_memory_terms():
    # compute 1 ms, overlapped memory 4 ms, element-wise 1 ms, launches 0.5 ms at 2e12 B/s: latency 5.5 ms,
    # target 4.4 ms, budget 3.9 ms: β' = 2e12 x (4 + 1) / 3.9 (then 3.12 + 0.78 = 3.9 ms, compute 1 ms below)
    out = synthesize([row(1.0, 4.0, 1.0, 0.5)])
    assert out["required_memory_bandwidth_bytes_per_s"][0] == pytest.approx(2e12 * 5 / 3.9, rel=1e-12)
    # FLOP/s: budget 4.4 - 0.5 - 1 = 2.9 ms is below the 4 ms memory term: unreachable
    assert out["required_peak_flop_per_s"][0] is None
    assert out["synthesis_note"][0] == "only more memory bandwidth reaches the target"


def test_element_wise_kernels_beside_compute_set_the_bandwidth_when_compute_binds():
    # compute 3 ms, memory 0.5 ms, element-wise 1 ms, no launches at 1e12 B/s: latency 4 ms, target 3.2 ms;
    # (M + E) / b = 1.5 / 3.2 of β, E / (b - C) = 1 / 0.2 of β: the second, 5e12 B/s
    out = synthesize([row(3.0, 0.5, 1.0, 0.0, bandwidth=1e12)])
    assert out["required_memory_bandwidth_bytes_per_s"][0] == pytest.approx(5e12, rel=1e-12)
