"""Percentiles of a request's TPOT under load (pipeline.walls.tpot_tail) against a hand calculation."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def test_tpot_percentiles_of_a_replica_at_half_its_prefill_capacity():
    """d = 10 ms per iteration, tau_p = 0.1 s (what a prompt stretches an iteration by: tau_s = tau_p at pp 1),
    rho = 0.5 (lambda = 5 /s), G = 101: T0 = 100 x 10 ms =
    1 s; the prompts prefilled beside a request, K: E = 5 / 0.5 = 10, Var = 5 / 0.125 = 40, a gamma
    of shape 2.5 and scale 4. Wilson-Hilferty: K_50 = 10 (1 - 1/22.5)^3 = 8.7250, K_99 = 10 (1 -
    1/22.5 + 2.32635 sqrt(1/22.5))^3 = 30.235. TPOT_q = mean + 0.1 s x (K_q - 10) / 100."""
    mean = 0.021  # tpot_under_load_s of the row (any value: the percentiles are shifts of it)
    frame = pl.DataFrame({"is_stable": [True], "tpot_under_load_s": [mean], "itl_at_load_s": [0.01],
                          "scheduler_overhead_per_iteration_s": [0.0], "prefill_utilization": [0.5],
                          "prefill_stage_time_s": [0.1], "generated_tokens": [101.0]})
    units = {"is_stable": None, "tpot_under_load_s": unit("s"), "itl_at_load_s": unit("s"),
             "scheduler_overhead_per_iteration_s": unit("s"), "prefill_utilization": unit(""),
             "prefill_stage_time_s": unit("s"), "generated_tokens": unit("tok")}
    out = formulas.plan(frame.lazy(), units, ["tpot_p50_s", "tpot_p99_s"], SERVING).frame.collect().row(0, named=True)
    k50 = 10 * (1 - 1 / 22.5) ** 3
    k99 = 10 * (1 - 1 / 22.5 + 2.3263478740408408 * math.sqrt(1 / 22.5)) ** 3
    assert k50 == pytest.approx(8.7250, abs=1e-4) and k99 == pytest.approx(30.235, abs=1e-3)
    assert out["tpot_p50_s"] == pytest.approx(mean + 0.1 * (k50 - 10) / 100, rel=1e-12)
    assert out["tpot_p99_s"] == pytest.approx(mean + 0.1 * (k99 - 10) / 100, rel=1e-12)
