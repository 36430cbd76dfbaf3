"""Wall 22 (synthesis) on rows stated by hand: the required peak is peak x compute time / the
budget left once the un-scalable terms are kept, for the kernel compute model's per-operator
compute time and the profile η's alike, in the form the latency takes (eager, graphed, conv-priced)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas, runs
from pipeline.spec import parse_spec
from pipeline.studies import node_graphs
from pipeline.units import unit
from tests.walls.test_sensitivity_forms import SPEC
from tests.walls.test_sensitivity_forms import row as form_row

OUT = ["target_latency_s", "required_peak_flop_per_s", "required_memory_bandwidth_bytes_per_s", "synthesis_note"]
MS = 1e-3
# how far above the target a conv-priced row's latency lands at its requirement, at most, on SPEC's rows (measured
# 2026-12-06: 2.3 % at the peak, 12.7 % at the bandwidth): a lower bound, not a loose one
BOUND_GAP = {"required_peak_flop_per_s": 1.05, "required_memory_bandwidth_bytes_per_s": 1.15}
REQUIRED = {"required_peak_flop_per_s": "peak_flop_per_s",
            "required_memory_bandwidth_bytes_per_s": "memory_bandwidth_bytes_per_s"}


def synthesize(rows: list[dict]) -> dict[str, list]:
    units = {"latency_s": "s", "synthesis_target_fraction": "", "kernel_form": None, "step_fixed_time_s": "s",
             "step_host_time_s": "s", "memory_time_s": "s", "step_elementwise_time_s": "s",
             "step_compute_time_s": "s", "step_compute_peak_s": "s", "step_compute_clock_s": "s",
             "peak_flop_per_s": "FLOP/s", "memory_bandwidth_bytes_per_s": "B/s", "gradient_exposed_time_s": "s"}
    frame = pl.DataFrame(rows)
    plan = formulas.plan(frame.lazy(), {k: None if u is None else unit(u) for k, u in units.items()}, OUT)
    return plan.frame.collect().to_dict(as_series=False)


def row(compute_ms, memory_ms, elementwise_ms, launch_ms, peak=1e15, bandwidth=2e12, network_ms=0.0):
    """An eager step (pipeline.walls.step_form: no fixed device time, the host's launches, all compute 1 / peak)."""
    latency = max(compute_ms, memory_ms) + elementwise_ms + launch_ms + network_ms  # wall 3
    return {"latency_s": latency * MS, "synthesis_target_fraction": 0.8, "kernel_form": False,
            "step_fixed_time_s": 0.0, "step_host_time_s": launch_ms * MS, "memory_time_s": memory_ms * MS,
            "step_elementwise_time_s": elementwise_ms * MS, "step_compute_time_s": compute_ms * MS,
            "step_compute_peak_s": compute_ms * MS, "step_compute_clock_s": 0.0, "peak_flop_per_s": peak,
            "memory_bandwidth_bytes_per_s": bandwidth, "gradient_exposed_time_s": network_ms * MS}


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


def test_a_graphed_bert_row_is_held_by_its_kernels_fixed_time():
    """BERT-Large int8 on the A100, batch 1, TensorRT (F4, tests/walls/test_sensitivity_forms.py): 1,664.676 us =
    170 x alpha 1,151.548 + the replay 2.670 + max(compute_4 510.458, memory 279.372); target 0.8 x = 1,331.741 us.
    Neither FLOP/s nor bandwidth moves N x alpha or the replay: 177.523 us are left, under the memory term (so no
    peak reaches it) and under compute_4 (so no bandwidth does). The eager terms said launches of 1,056 us."""
    r = form_row("BERT-Large", 1, "TensorRT", 272)
    assert r["target_latency_s"] == pytest.approx(1331.741e-6, abs=1e-9)
    assert r["target_latency_s"] - (1151.548e-6 + 2.670e-6) == pytest.approx(177.523e-6, abs=2e-9)
    assert r["required_peak_flop_per_s"] is None and r["required_memory_bandwidth_bytes_per_s"] is None
    assert r["synthesis_note"] == ("neither FLOP/s nor bandwidth alone reaches the target "
                                   "(the fixed per-kernel costs bind)")


def test_a_conv_priced_resnet_row_scales_only_its_convs_peak_part():
    """ResNet-50 int8 on the A100 at batch 64, TensorRT (enqueued; test_sensitivity_forms' terms): 2,271.33 us = 54 x
    alpha 365.786 + one launch 4 + max(convs 1,901.54, memory 723.01), the convs 1,048.98 us as 1 / peak, 825.75 as 1 /
    the SM clock, 26.81 memory-bound; target 1,817.064 us. FLOP/s: 1,817.064 - 369.786 - 852.56 = 594.718 us left for
    the peak part, memory 723.01 under the 1,447.278 us budget: peak' = 624e12 x 1,048.98 / 594.718 = 1.10063e15
    FLOP/s. Bandwidth: the convs' compute-bound parts, 1,874.73 us, exceed the 1,447.278 us left: unreachable."""
    r = form_row("ResNet-50", 64, "TensorRT", 224)
    assert r["required_peak_flop_per_s"] == pytest.approx(624e12 * 1048.98 / 594.718, rel=1e-4)
    assert r["required_peak_flop_per_s"] == pytest.approx(1.10063e15, rel=1e-4)
    assert r["required_memory_bandwidth_bytes_per_s"] is None
    assert r["synthesis_note"] == "only more FLOP/s reaches the target"


def test_each_requirement_meets_the_target_in_every_form():
    """The inverse problem's definition: the latency at the required peak (or bandwidth) is the target. Exact (to
    rounding) where the step's terms are linear in it: eager rows and graphed transformers; a conv-priced step holds
    each conv's binding term (a conv that turns bound by the other resource stops gaining: a kink wall 21's
    derivative does not see), so its requirement is a lower bound, the latency there at or above the target."""
    p = runs.prepare(parse_spec(SPEC))
    frame, units = node_graphs.with_slots(p.space.frame(), p.space.units)
    out = ["latency_s", "target_latency_s", "graphed_form", "kernel_form", *REQUIRED]
    base = formulas.plan(frame, units, out, keep=True).frame
    for column, required in REQUIRED.items():
        base = formulas.plan(base, units, ["latency_s"], rebind={required: column}, suffix=f"__{required}",
                             keep=True).frame
    rows = base.filter(pl.col("latency_s").is_not_null()).collect()
    eager, graphed = ~rows["kernel_form"], rows["graphed_form"]
    assert eager.sum() >= 40 and graphed.sum() >= 20 and (rows["kernel_form"] & ~graphed).sum() >= 40
    for column, required in REQUIRED.items():
        met = rows.filter(pl.col(column).is_not_null())
        ratio = met[f"latency_s__{required}"] / met["target_latency_s"]
        exact = met["conv_peak_time_s"].is_null()  # no conv-priced compute: eager, or a graphed transformer
        assert exact.sum() >= 8 and (~exact).sum() >= 15, column
        assert (ratio.filter(exact) - 1).abs().max() < 1e-12, column
        assert ratio.filter(~exact).min() >= 1 - 1e-12 and ratio.filter(~exact).max() < BOUND_GAP[column], column
