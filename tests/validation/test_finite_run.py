"""Wall 7's finite run above capacity (pipeline.walls.finite_run): N requests offered at a rate the
steady state cannot sustain, against transient D/D/1 cases worked by hand and against the
discrete-event simulation of the same policy with the same N Poisson arrivals (issue 12 item 4)."""

from __future__ import annotations

import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.validation.burst_check import compare
from pipeline.validation.load_check import capacity
from pipeline.walls.registries import SERVING

UNITS = {"is_stable": None, "burst_ttft_mean_s": unit("s"), "burst_requests": unit(""),
         "request_rate_per_replica": unit("1/s"), "burst_prefill_iteration_s": unit("s"),
         "burst_prefill_batch": unit(""), "burst_decode_tpot_s": unit("s"),
         "scheduler_overhead_per_iteration_s": unit("s"), "burst_tpot_mean_s": unit("s")}


def _finite(**values) -> dict:
    outputs = ["finite_run_ttft_mean_s", "finite_run_tpot_mean_s"]
    return formulas.compile_scalar(UNITS, outputs, formulas.REGISTRY | SERVING)(values)


def test_overloaded_deterministic_queue_by_hand():
    """11 requests, one prefilled per 1 s iteration (decode negligible). As a burst at t = 0 the k-th
    (k = 0..10) has its first token at k + 1 s: mean 6 s. Offered at 2/s they arrive at k / 2 s, and a
    server taking one per second never catches up (D/D/1 with lambda > mu from empty): request k
    starts at k, ends at k + 1, waits k + 1 - k / 2; mean over k = 0..10 of (1 + k / 2) = 3.5 s. The
    run keeps the burst's schedule, hence its TPOT."""
    out = _finite(is_stable=False, burst_ttft_mean_s=6.0, burst_requests=11.0, request_rate_per_replica=2.0,
                  burst_prefill_iteration_s=1.0, burst_prefill_batch=1.0, burst_decode_tpot_s=0.0,
                  scheduler_overhead_per_iteration_s=0.0, burst_tpot_mean_s=0.05)
    assert out["finite_run_ttft_mean_s"] == pytest.approx(3.5)
    assert out["finite_run_tpot_mean_s"] == pytest.approx(0.05)


def test_prefill_keeping_up_waits_like_a_saturated_replica_by_hand():
    """Arrivals slower than the prefill (0.5/s, a prompt 0.2 s: rho = 0.1) into a replica whose batch is
    full (decode pass 0.1 s): the arrival's iteration residual and its own iteration carrying the
    prefill, d + tau + (1/2 + rho) d / (1 - rho) = 0.1 + 0.2 + 0.6 x 0.1 / 0.9 = 0.3667 s; the burst's
    shift (5 s - 10 / (2 x 0.5) = -5 s) does not bind. A stable rate leaves the finite run null."""
    values = dict(is_stable=False, burst_ttft_mean_s=5.0, burst_requests=11.0, request_rate_per_replica=0.5,
                  burst_prefill_iteration_s=0.4, burst_prefill_batch=2.0, burst_decode_tpot_s=0.1,
                  scheduler_overhead_per_iteration_s=None, burst_tpot_mean_s=0.12)
    assert _finite(**values)["finite_run_ttft_mean_s"] == pytest.approx(0.1 + 0.2 + 0.6 * 0.1 / 0.9)
    stable = _finite(**values | {"is_stable": True})
    assert stable["finite_run_ttft_mean_s"] is None and stable["finite_run_tpot_mean_s"] is None


BASE = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["bf16"], "tp": [1],
        "prompt_len": [467], "output_len": [256]}
POINTS = [  # (batch cap, other axes, rate / wall 7's capacity): arrivals outpacing the burst's intake
    (512, {}, 4.0), (512, {"output_len": [16]}, 2.0), (512, {"output_len": [16]}, 4.0), (128, {}, 2.0),
    (128, {}, 4.0)]


@pytest.mark.parametrize(("cap", "axes", "times"), POINTS, ids=[f"B{b}-G{a.get('output_len', [256])[0]}-x{t:g}"
                                                                for b, a, t in POINTS])
def test_finite_run_matches_the_simulation(catalogs, cap, axes, times):
    """500 requests (the TensorRT-LLM perf-overview's run length) offered above capacity: mean TTFT and
    TPOT within 10 % of the simulation of the same requests' Poisson arrivals."""
    configuration = BASE | {"batch": [cap]} | axes
    rate = times * capacity(configuration, "TensorRT-LLM", catalogs)
    point = compare(configuration, "TensorRT-LLM", 500, catalogs, rate=rate)
    for column in ("burst_ttft_mean_s", "burst_tpot_mean_s"):
        assert abs(point[f"error_{column}"]) <= 0.10, (column, point)


def test_decode_bound_overload_tpot_is_an_upper_bound(catalogs):
    """Just above capacity prefill keeps up with the arrivals, so fewer sequences decode beside each
    prefill than in the burst: the finite run's TPOT (the burst's) bounds the simulation's from above."""
    configuration = BASE | {"batch": [512]}
    rate = 1.2 * capacity(configuration, "TensorRT-LLM", catalogs)
    point = compare(configuration, "TensorRT-LLM", 500, catalogs, rate=rate)
    assert point["burst_tpot_mean_s"] >= point["des_burst_tpot_mean_s"]


def test_a_rate_row_with_its_request_count_is_a_finite_run():
    from pipeline.validation.predict import SPEC_INPUTS, measurement_spec

    row = dict.fromkeys(SPEC_INPUTS) | {
        "study": "serving", "metric": "ttft_s", "framework": "TensorRT-LLM", "model": "Llama 3.1 70B",
        "hardware": "H100 SXM5 80GB", "compute_dtype": "bf16", "devices": 4, "tp": 4, "prompt_len": 467,
        "output_len": 256, "scenario": "server", "requests": 500, "request_rate": 32.0}
    spec, reason = measurement_spec(row)
    assert reason is None and spec["burst"] == 500 and spec["axes"]["request_rate"] == [32.0]
    spec, _ = measurement_spec(row | {"requests": None})  # no request count: wall 7's steady state alone
    assert "burst" not in spec


def test_bundled_rows_above_capacity_are_predicted(bundled):
    """The 16 TensorRT-LLM 0.14 TTFT and ITL rows at QPS 16/32 that wall 7 finds above capacity (500
    requests each, achieved 12-28 req/s of the offered 16-32) are predicted as finite runs."""
    import polars as pl

    names = [f"trtllm-0.14-serving-{hw}-bf16-llama-3.1-70b-tp4-in{lengths}-{m}" for hw in ("h100", "h200")
             for lengths in ("202-out214-qps32", "467-out16-qps32", "467-out256-qps16", "467-out256-qps32")
             for m in ("ttft", "itl")]
    rows = bundled.filter(pl.col("name").is_in(names))
    assert rows.height == 16
    assert rows["predicted"].null_count() == 0, rows.filter(pl.col("predicted").is_null())["reason"].to_list()
