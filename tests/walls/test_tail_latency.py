"""Wall 7 (serving under a request rate) and wall 12 (reasoning tokens) against hand-computed values."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline

BASE = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "tp": [1],
        "batch": [256], "prompt_len": [1024], "output_len": [256]}


@pytest.fixture(scope="module")
def loaded() -> pl.DataFrame:
    # wall 7's algebra in the smooth profile-η regime: under the kernel model (the default) a pass's time is
    # a step function of the batch, and P99 may rise by ~1 % with a replica added (issue 12 item 2)
    return pipeline.sweep({"study": "serving", "efficiency": {"compute_model": "profile"},
                           "axes": BASE | {"request_rate": [1.0, 5.0, 10.0, 20.0, 40.0], "replicas": [1, 2, 4]}})


def _wall7(columns: dict, outputs: list[str]) -> pl.DataFrame:
    from pipeline import formulas
    from pipeline.units import unit
    from pipeline.walls.registries import SERVING

    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: None if u is None else unit(u) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, formulas.REGISTRY | SERVING).frame.collect()


def test_continuous_batching_by_hand():
    """tau_p 0.1 s, a decode pass 10 ms + 2 ms of scheduler, G 10 tokens.
    At 0.001 requests/s: rho = 1e-4, E[C] = 12 ms / (1 - 1e-4); an arrival finds the replica idle with
    probability (1 - rho) e^-(0.001 x 10 x E[C]) = 0.99990, so P50 = P99 = tau_p = 0.1 s and the wait
    probability is 1 - 0.99990 = 1.0012e-4; the iteration a request sees at the mean batch, E[C] = 12.0012 ms
    (+ 1.1 ns of clustering). At 2 requests/s: rho = 0.2, E[C] = 12 ms / 0.8 = 15 ms, with clustering 18.47 ms."""
    columns = {"request_rate": ([0.001, 2.0], "1/s"), "replicas": ([1.0, 1.0], ""),
               "prefill_time_one_request_s": ([0.1, 0.1], "s"), "prefill_stage_share": ([1.0, 1.0], ""),
               "itl_at_load_s": ([0.01, 0.01], "s"),
               "scheduler_overhead_per_iteration_s": ([0.002, 0.002], "s"), "output_len": ([10, 10], "tok"),
               "reasoning_tokens": ([0, 0], "tok"), "is_stable": ([True, True], None),
               "concurrency": ([None, None], ""),  # an open loop (pipeline.walls.closed_loop): never saturated
               "closed_loop_saturated": ([False, False], None), "capacity_requests_per_s": ([1.0, 1.0], "1/s"),
               "scheduler_steps": ([1.0, 1.0], "")}  # one step per scheduler call (pipeline.walls.multi_step)
    out = _wall7(columns, ["ttft_p50_s", "ttft_p99_s", "tpot_at_mean_batch_s", "wait_probability"])
    idle = (1 - 1e-4) * math.exp(-0.001 * 10 * 0.012 / (1 - 1e-4))
    assert out["ttft_p50_s"][0] == pytest.approx(0.1) and out["ttft_p99_s"][0] == pytest.approx(0.1)
    assert out["wait_probability"][0] == pytest.approx(1 - idle, rel=1e-9)
    # the iteration E[C] + rho tau_p / ((1 - rho)^2 (G - 1)): 2/s adds 0.2 x 0.1 / (0.64 x 9) = 3.472 ms
    assert out["tpot_at_mean_batch_s"].to_list() == pytest.approx(
        [0.012 / (1 - 1e-4) + 1e-5 / ((1 - 1e-4) ** 2 * 9), 0.015 + 0.02 / (0.64 * 9)], rel=1e-9)
    # 2/s: b = 2 x 10 x 15 ms = 0.3, idle share 0.8 e^-0.3 = 0.59 > 1/2: the median arrival finds it idle
    assert out["ttft_p50_s"][1] == pytest.approx(0.1) and out["ttft_p99_s"][1] > 0.1


def test_the_iteration_and_its_mixture_are_columns_by_hand():
    """The columns wall 7's TTFT reads (vspeed8), at 2 requests/s of the case above: d = 12 ms, E[C] = 15 ms,
    Var C = 0.1^2 x 2 x 0.015 / (1 - 0.04) = 3.125e-4 s^2, theta = Var / E = 20.83 ms, k = E / theta = 0.72,
    P(N = 0) = (1 + 2 theta)^-0.72 = 0.97104; idle 0.8 e^-0.3 = 0.59265; carrying max(0.40735 x (1 - 0.97104 x
    0.8), 0.2) = 0.2; decode-only the rest, 0.20735; E[L] = (Var + E^2 - p0 d^2) / (E - p0 d) and
    E[Y] = 0.7 E[L]; TTFT mean = 0.1 + 0.20735 x 1.5 d + 0.2 (d + E[Y])."""
    columns = {"request_rate": ([2.0], "1/s"), "replicas": ([1.0], ""), "prefill_time_one_request_s": ([0.1], "s"),
               "prefill_stage_share": ([1.0], ""), "itl_at_load_s": ([0.01], "s"),
               "scheduler_overhead_per_iteration_s": ([0.002], "s"), "output_len": ([10], "tok"),
               "reasoning_tokens": ([0], "tok"), "is_stable": ([True], None),
               "concurrency": ([None], ""), "closed_loop_ttft_mean_s": ([None], "s"),  # an open loop
               "closed_loop_saturated": ([False], None), "capacity_requests_per_s": ([1.0], "1/s"),
               "scheduler_steps": ([1.0], "")}  # one step per scheduler call (pipeline.walls.multi_step)
    names = ["load_round_s", "load_iteration_mean_s", "load_iteration_variance", "load_no_prefill_share",
             "load_idle_share", "load_carrying_share", "load_decode_only_share", "load_carrying_iteration_mean_s",
             "ttft_excess_mean_s", "ttft_mean_s", "wait_probability"]
    got = _wall7(columns, names).row(0, named=True)
    d, mean, var = 0.012, 0.015, 0.01 * 2 * 0.015 / 0.96
    theta = var / mean
    p0 = (1 + 2 * theta) ** -(mean / theta)
    idle = 0.8 * math.exp(-0.3)
    carrying = max((1 - idle) * (1 - p0 * d / mean), 0.2)
    mean_l = (var + mean * mean - p0 * d * d) / (mean - p0 * d)
    want = {"load_round_s": d, "load_iteration_mean_s": mean, "load_iteration_variance": 3.125e-4,
            "load_no_prefill_share": p0, "load_idle_share": idle, "load_carrying_share": 0.2,
            "load_decode_only_share": 1 - idle - 0.2, "load_carrying_iteration_mean_s": mean_l,
            "ttft_excess_mean_s": 0.7 * mean_l,
            "ttft_mean_s": 0.1 + (1 - idle - 0.2) * 1.5 * d + 0.2 * (d + 0.7 * mean_l), "wait_probability": 1 - idle}
    assert carrying == 0.2 and round(p0, 5) == 0.97104 and round(idle, 5) == 0.59265
    assert got == pytest.approx(want, rel=1e-9)


def test_tpot_under_poisson_arrivals_is_littles_law_on_the_chain():
    """Open loop: TPOT = E[min(k, cap)] / (lambda_r G) + the clustering the chain leaves out. The case above at
    2 requests/s, G = 10: clustering 0.2 x 0.1 / (0.64 x 9) = 3.472 ms. A chain narrow about a flat round (its rates
    k (1 - rho) / (G d), a Poisson of mean lambda G d / (1 - rho) = 2 x 10 x 15 ms = 0.3) gives back the iteration
    formula's 15 + 3.472 ms; a broader chain's mean of 0.5 gives 0.5 / 20 = 25 ms + 3.472 ms. A closed loop
    (concurrency 4 on one replica) keeps the iteration formula."""
    clustering = 0.02 / (0.64 * 9)
    fluid = 0.015 + clustering
    columns = {"request_rate": ([2.0] * 3, "1/s"), "replicas": ([1.0] * 3, ""),
               "prefill_time_one_request_s": ([0.1] * 3, "s"), "prefill_stage_share": ([1.0] * 3, ""),
               "itl_at_load_s": ([0.01] * 3, "s"), "scheduler_overhead_per_iteration_s": ([0.002] * 3, "s"),
               "output_len": ([10] * 3, "tok"), "reasoning_tokens": ([0] * 3, "tok"), "is_stable": ([True] * 3, None),
               "load_batch": ([2.0 * 10 * 0.015, 0.5, 0.5], ""), "concurrency": ([None, None, 4.0], ""),
               "closed_loop_saturated": ([False] * 3, None), "capacity_requests_per_s": ([10.0] * 3, "1/s")}
    out = _wall7(columns, ["tpot_under_load_s", "tpot_at_mean_batch_s"])
    assert out["tpot_under_load_s"][0] == pytest.approx(fluid, rel=1e-12)
    assert out["tpot_under_load_s"][1] == pytest.approx(0.025 + clustering, rel=1e-12)
    # closed loop: 4 users, the others' arrivals 2 x 3 / 4 = 1.5/s: rho = 0.15, 12 ms / 0.85 + 0.015 / (0.85^2 x 9)
    assert out["tpot_under_load_s"][2] == pytest.approx(0.012 / 0.85 + 0.15 * 0.1 / (0.85 ** 2 * 9), rel=1e-12)
    assert out["tpot_under_load_s"][2] == out["tpot_at_mean_batch_s"][2]


def test_overload_is_a_result_not_a_crash(loaded):
    over = loaded.filter(pl.col("utilization") >= 1.0)
    assert over.height > 0
    assert over["is_stable"].to_list() == [False] * over.height
    assert over["ttft_p99_s"].null_count() == over.height


def test_tail_latency_orders_and_replicas_help(loaded):
    stable = loaded.filter(pl.col("is_stable"))
    assert (stable["ttft_p99_s"] >= stable["ttft_p50_s"]).all()
    for rate, group in stable.group_by("request_rate"):
        p99 = group.sort("replicas")["ttft_p99_s"].to_list()
        assert p99 == sorted(p99, reverse=True), rate  # more replicas never raise P99


def test_offline_rows_have_no_load_columns():
    row = pipeline.sweep({"study": "serving", "axes": BASE}).row(0, named=True)
    assert row["request_rate"] is None and row["ttft_p99_s"] is None and row["is_stable"] is None


def test_reasoning_tokens_lengthen_decode_and_the_cache():
    """Wall 12: K thinking tokens are decoded before the answer and stay in the KV cache."""
    frame = pipeline.sweep({"study": "serving", "axes": BASE | {"batch": [1], "reasoning_tokens": [0, 2000]}})
    plain, thinking = (frame.filter(pl.col("reasoning_tokens") == k).row(0, named=True) for k in (0, 2000))
    per_token = 2 * 32 * 8 * 128 * 2  # Llama 3 8B: 2 x L x H_kv x d_head x bytes
    assert thinking["kv_cache_bytes"] - plain["kv_cache_bytes"] == 2000 * per_token
    assert thinking["e2e_latency_s"] == pytest.approx(thinking["ttft_s"] + 2255 * thinking["itl_s"])
    assert thinking["itl_s"] > plain["itl_s"]  # a longer mean context


def test_replicas_are_bounded_in_the_spec():
    from pipeline.errors import InputError
    from pipeline.spec import parse_spec

    assert parse_spec({"study": "serving", "axes": {"replicas": [72], "request_rate": [1.0]}}).axes.replicas == (72,)
    with pytest.raises(InputError, match=r"axes.replicas\[0\]: got 1048577, expected an integer <= 1048576"):
        parse_spec({"study": "serving", "axes": {"replicas": [2**20 + 1], "request_rate": [1.0]}})


def test_request_service_time_cv_by_hand():
    """S = a I + b O: tau_p 1 s over 1000 prompt tokens, s_I 500 -> a s_I = 0.5 s; itl(b_cap) 0.1 s over
    b_cap 10, s_O 100 -> b s_O = 1 s; E[S] = 1 / mu = 2 s. r = 0: sqrt(0.25 + 1) / 2 = 0.5590;
    r = 0.5: sqrt(1.25 + 2 x 0.5 x 0.5 x 1) / 2 = 0.6614; fixed lengths (spread 0, r null): 0; no spread: null."""
    from pipeline import formulas
    from pipeline.units import unit
    from pipeline.walls.registries import SERVING

    columns = {"prefill_time_batched_s": ([1.0] * 4, "s"), "prefill_stage_share": ([1.0] * 4, ""),
               "prompt_len": ([1000] * 4, "tok"),
               "itl_at_batch_cap_s": ([0.1] * 4, "s"), "load_batch_cap": ([10.0] * 4, ""),
               "capacity_requests_per_s": ([0.5] * 4, "1/s"), "scheduler_overhead_per_iteration_s": ([0.0] * 4, "s"),
               "input_tokens_std": ([500.0, 500.0, 0.0, None], "tok"),
               "output_tokens_std": ([100.0, 100.0, 0.0, None], "tok"),
               "input_output_correlation": ([0.0, 0.5, None, None], "")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()},
                         schema_overrides={"input_output_correlation": pl.Float64, "input_tokens_std": pl.Float64,
                                           "output_tokens_std": pl.Float64})
    units = {k: unit(u) for k, (_, u) in columns.items()}
    plan = formulas.plan(frame.lazy(), units, ["request_service_time_cv"], formulas.REGISTRY | SERVING)
    got = plan.frame.collect()["request_service_time_cv"]
    assert got.to_list()[:3] == pytest.approx([math.sqrt(1.25) / 2, math.sqrt(1.75) / 2, 0.0])
    assert got[3] is None
