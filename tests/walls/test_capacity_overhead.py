"""Wall 7's capacity counts the scheduler's time per iteration, as its TPOT does (issue 12 item 4)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def _run(columns: dict, outputs: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, schema_overrides={
        "scheduler_overhead_per_iteration_s": pl.Float64, "input_output_correlation": pl.Float64})
    units = {k: unit(u) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, formulas.REGISTRY | SERVING).frame.collect()


def test_capacity_by_hand():
    """tau_p 40 ms, G 100 tokens, a decode pass of 50 ms at b_cap 10. Without overhead (null: none stated, or 0):
    40 ms + 100 x 50 ms / 10 = 540 ms per request, mu = 1.85185/s. With 5 ms of scheduler time per iteration not
    hidden behind the GPU: 40 ms + 100 x 55 ms / 10 = 590 ms, mu = 1.69492/s."""
    n = 3
    columns = {"prefill_time_batched_s": ([0.040] * n, "s"), "prefill_stage_share": ([1.0] * n, ""),
               "generated_tokens": ([100.0] * n, "tok"),
               "itl_at_batch_cap_s": ([0.050] * n, "s"), "load_batch_cap": ([10.0] * n, ""),
               "scheduler_overhead_per_iteration_s": ([None, 0.0, 0.005], "s")}
    got = _run(columns, ["capacity_requests_per_s"])["capacity_requests_per_s"].to_list()
    assert got == pytest.approx([1 / 0.54, 1 / 0.54, 1 / 0.59], rel=1e-12)


def test_service_time_cv_counts_the_overhead():
    """S = a I + b O with b = (ITL + o) / b_cap: tau_p 1 s / 1000 tokens, s_I 500 -> a s_I = 0.5 s; (0.1 + 0.1) s / 10
    per token, s_O 100 -> b s_O = 2 s; E[S] = 1 / mu = 3.5 s (mu given): sqrt(0.25 + 4) / 3.5 = 0.58902."""
    columns = {"prefill_time_batched_s": ([1.0], "s"), "prefill_stage_share": ([1.0], ""),
               "prompt_len": ([1000], "tok"),
               "itl_at_batch_cap_s": ([0.1], "s"), "load_batch_cap": ([10.0], ""),
               "capacity_requests_per_s": ([1 / 3.5], "1/s"), "scheduler_overhead_per_iteration_s": ([0.1], "s"),
               "input_tokens_std": ([500.0], "tok"), "output_tokens_std": ([100.0], "tok"),
               "input_output_correlation": ([0.0], "")}
    got = _run(columns, ["request_service_time_cv"])["request_service_time_cv"][0]
    assert got == pytest.approx(4.25 ** 0.5 / 3.5, rel=1e-12)
