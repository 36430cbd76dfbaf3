"""Wall 7 prices a pipeline-parallel replica's throughput per stage and its latency over all stages, by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def _wall7(columns: dict, outputs: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: None if u is None else unit(u) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, formulas.REGISTRY | SERVING).frame.collect()


def test_the_busiest_stage_share():
    """80 layers: 1 at pp 1, 40 / 80 = 0.5 at pp 2; 81 layers at pp 2: ceil(40.5) = 41 / 81 on the busiest stage."""
    out = _wall7({"n_layers": ([80, 80, 81], ""), "pp": ([1.0, 2.0, 2.0], "")}, ["prefill_stage_share"])
    assert out["prefill_stage_share"].to_list() == pytest.approx([1.0, 0.5, 41 / 81], rel=1e-15)


def test_a_pp2_replica_takes_a_prompt_every_stage_time():
    """Cisco's MLPerf v5.1 Llama 2 70B Server replicas, TP1 x PP2 (CHANGELOG.md, mlserver: a prompt's batched prefill
    24.0 ms over both stages, a decode round 81.3 ms at b_cap 1,048, G = 293). At pp 1 a prompt costs the replica the
    whole 24.0 ms: mu = 1 / (0.024 + 293 x 0.0813 / 1048) = 1 / (0.024 + 0.022730) = 21.40 /s. At pp 2 (80 layers,
    40 per stage) the pipeline takes a prompt every 12.0 ms: mu = 1 / (0.012 + 0.022730) = 28.79 /s."""
    columns = {"prefill_time_batched_s": ([0.024] * 2, "s"), "n_layers": ([80] * 2, ""), "pp": ([1.0, 2.0], ""),
               "generated_tokens": ([293.0] * 2, "tok"), "itl_at_batch_cap_s": ([0.0813] * 2, "s"),
               "load_batch_cap": ([1048.0] * 2, ""), "scheduler_overhead_per_iteration_s": ([0.0] * 2, "s")}
    got = _wall7(columns, ["capacity_requests_per_s"])["capacity_requests_per_s"].to_list()
    decode = 293 * 0.0813 / 1048
    assert got == pytest.approx([1 / (0.024 + decode), 1 / (0.012 + decode)], rel=1e-12)
    assert got[0] == pytest.approx(21.40, abs=0.01) and got[1] == pytest.approx(28.79, abs=0.01)


def test_latency_spans_every_stage_and_rho_is_per_stage():
    """tau_p 0.1 s over 2 stages of 16 layers each (tau_s 0.05 s), a round d 10 ms + 2 ms of scheduler, G 10.
    At 0.001 requests/s an arrival finds the replica idle: TTFT P50 = tau_p = 0.1 s (its prompt crosses both
    stages), not tau_s. At 2 requests/s: rho = 2 x 0.05 = 0.1 (0.2 at pp 1), E[C] = 12 ms / 0.9 = 13.333 ms, the
    iteration at the mean batch E[C] + rho tau_s / ((1 - rho)^2 (G - 1)) = 13.333 + 0.1 x 50 / (0.81 x 9)
    = 14.019 ms."""
    columns = {"request_rate": ([0.001, 2.0], "1/s"), "replicas": ([1.0, 1.0], ""),
               "prefill_time_one_request_s": ([0.1, 0.1], "s"), "n_layers": ([32, 32], ""), "pp": ([2.0, 2.0], ""),
               "itl_at_load_s": ([0.01, 0.01], "s"), "scheduler_overhead_per_iteration_s": ([0.002, 0.002], "s"),
               "output_len": ([10, 10], "tok"), "reasoning_tokens": ([0, 0], "tok"), "is_stable": ([True, True], None),
               "concurrency": ([None, None], ""),  # an open loop (pipeline.walls.closed_loop): never saturated
               "closed_loop_saturated": ([False, False], None), "capacity_requests_per_s": ([1.0, 1.0], "1/s"),
               "scheduler_steps": ([1.0, 1.0], "")}  # one step per scheduler call (pipeline.walls.multi_step)
    out = _wall7(columns, ["ttft_p50_s", "prefill_utilization", "tpot_at_mean_batch_s"])
    assert out["ttft_p50_s"][0] == pytest.approx(0.1, rel=1e-6)
    assert out["prefill_utilization"].to_list() == pytest.approx([0.001 * 0.05, 0.1], rel=1e-12)
    assert out["tpot_at_mean_batch_s"][1] == pytest.approx(0.012 / 0.9 + 0.1 * 0.05 / (0.81 * 9), rel=1e-12)
