"""Wall 7's closed form against a discrete-event simulation of the same continuous-batching policy
(issue 12 item 4): P50 and P99 TTFT and mean TPOT within 10 % at 5 load points; and the simulation
itself against cases worked by hand."""

from __future__ import annotations

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation.load_check import compare
from pipeline.validation.simulate import Replica, simulate

LOADS = [0.1, 0.3, 0.5, 0.7, 0.9]  # fractions of the configuration's own capacity


@pytest.fixture(scope="module")
def points() -> list[dict]:
    # the profile η's smooth pass times; the kernel default's (a step function of the batch) are compared at
    # 20 load points by `mlsys bench --load` (README): its P50 at 70 % is 14 % off here with 3,000 requests
    return compare(LOADS, load_catalogs(), requests=3000, compute_model="profile")


@pytest.mark.parametrize("k", range(len(LOADS)), ids=[f"{f:.0%}" for f in LOADS])
def test_closed_form_matches_the_simulation(points, k):
    point = points[k]
    for column in ("ttft_p50_s", "ttft_p99_s", "ttft_mean_s", "tpot_under_load_s"):
        assert abs(point[f"error_{column}"]) <= 0.10, (column, point)


def test_one_request_at_a_time_by_hand():
    """Arrivals 1 s apart on average, each alone: prefill 1000 tokens x 0.1 ms = 0.1 s, then 10 more
    tokens at one 10 ms decode pass each: TTFT 0.1 s (no one ahead), TPOT 0.01 s (a few percent more: an
    arrival during a decode, probability 0.05/s x 0.1 s, puts its 0.1 s prefill in that iteration)."""
    replica = Replica(lambda b: 0.01, 1e-4, 0.0, 256, 8192, 1000, 11)
    out = simulate(replica, 0.05, requests=300, warmup=10)
    assert out.ttft_p50_s == pytest.approx(0.1, rel=1e-9)
    assert 0.01 <= out.tpot_mean_s <= 0.0103


def test_the_token_budget_chunks_a_long_prompt():
    """A 10,000-token prompt under a budget of 4,096 tokens takes three iterations (4096 + 4096 + 1808),
    prefill alone: TTFT = 10,000 x 0.1 ms = 1 s; the same with no budget."""
    chunked = Replica(lambda b: 0.01, 1e-4, 0.0, 256, 4096, 10_000, 2)
    assert simulate(chunked, 0.01, requests=50, warmup=5).ttft_p50_s == pytest.approx(1.0, rel=1e-9)
    overhead = Replica(lambda b: 0.01, 1e-4, 0.005, 256, 4096, 10_000, 2)  # 5 ms per iteration, 3 iterations
    assert simulate(overhead, 0.01, requests=50, warmup=5).ttft_p50_s == pytest.approx(1.015, rel=1e-9)


def test_the_batch_cap_queues_arrivals():
    """With one sequence at a time (cap 1), a burst queues: the P99 TTFT exceeds a whole request."""
    replica = Replica(lambda b: 0.01, 1e-5, 0.0, 1, None, 100, 50)  # 1 ms prefill + 49 x 10 ms decode
    out = simulate(replica, 1.8, requests=1000, warmup=100)  # utilization 1.8 x 0.491 s = 0.88
    assert out.ttft_p99_s > 0.491
    assert out.requests_per_s == pytest.approx(1.8, rel=0.1)


def test_rows_under_load_get_a_request_rate_or_their_reason():
    from pipeline.validation.predict import SPEC_INPUTS, measurement_spec

    row = dict.fromkeys(SPEC_INPUTS) | {
        "study": "serving", "metric": "ttft_s", "framework": "TensorRT-LLM", "model": "Llama 3.1 70B",
        "hardware": "H100 SXM5 80GB", "compute_dtype": "bf16", "devices": 8, "tp": 4, "prompt_len": 467,
        "output_len": 256, "request_rate": 4.0}
    spec, reason = measurement_spec(row)
    assert reason is None
    assert spec["axes"]["request_rate"] == [4.0] and spec["axes"]["replicas"] == [2]  # 8 devices / tp 4
    unloaded, _ = measurement_spec(row | {"request_rate": None})
    assert "request_rate" not in unloaded["axes"] and unloaded["axes"]["batch"] == [1]
    spec, reason = measurement_spec(row | {"request_rate": None, "concurrency": 1, "scenario": "server"})
    assert reason is None and "request_rate" not in spec["axes"]  # one user: an unloaded request
    spec, reason = measurement_spec(row | {"request_rate": None, "scenario": "server"})  # qps=inf
    assert spec is None and "unstated request rate" in reason


def test_bundled_rows_under_load(bundled):
    """TensorRT-LLM 0.14 serving rows at a QPS are predicted under load or say why not: none is
    called a memory misfit, and every row at QPS 2 (far below any capacity) is predicted."""
    import polars as pl

    from pipeline.validation.predict import (
        NO_FIT, NO_FIT_AT_PROFILE, OVER_CAPACITY, OVER_CAPACITY_AT_PROFILE, OVER_PREFILL, OVER_PREFILL_AT_PROFILE,
    )

    rows = bundled.filter(pl.col("name").str.starts_with("trtllm-0.14-serving-")
                          & pl.col("metric").is_in(["ttft_s", "itl_s"]) & pl.col("request_rate").is_not_null())
    assert rows.height == 120
    assert rows.filter(pl.col("reason").is_in([NO_FIT, NO_FIT_AT_PROFILE])).height == 0
    assert set(rows["reason"].drop_nulls()) <= {OVER_CAPACITY, OVER_CAPACITY_AT_PROFILE, OVER_PREFILL,
                                              OVER_PREFILL_AT_PROFILE}
    assert rows.filter(pl.col("request_rate") == 2.0)["predicted"].null_count() == 0


@pytest.mark.parametrize("k", range(len(LOADS)), ids=[f"{f:.0%}" for f in LOADS])
def test_tpot_percentiles_match_the_simulation(points, k):
    """A request's P50 and P99 TPOT (pipeline.walls.tpot_tail) against the simulated requests' own:
    within 10 % up to 70 % of capacity; at 90 % the P50 within 15 % and the closed-form P99 low (3,000
    requests; the gamma's tail is lighter than the branching process's there): by about 13 % of the capacity
    that priced each prompt alone, by 24.9 % of the budget-batched capacity (higher, so 90 % of it is nearer
    the saturation of the latency formulas' own prompt price; 17 % against a simulation pricing each
    iteration's prefill as the pass of its tokens; CHANGELOG.md, mlserver), so one-sided, within 30 %."""
    point = points[k]
    bound = 0.10 if point["fraction"] <= 0.7 else 0.15
    assert abs(point["error_tpot_p50_s"]) <= bound, point
    if point["fraction"] <= 0.7:
        assert abs(point["error_tpot_p99_s"]) <= bound, point
    else:
        assert -0.30 <= point["error_tpot_p99_s"] < 0.0, point
    assert point["tpot_p50_s"] <= point["tpot_under_load_s"] <= point["tpot_p99_s"]  # a right-skewed spread


PP_LOADS = [0.1, 0.5, 0.9]


@pytest.fixture(scope="module")
def pipelined() -> list[dict]:
    """A TP1 x PP2 replica (Llama 3 8B on two H100s, 16 layers per stage), profile η as ``points``."""
    from pipeline.validation.load_check import CONFIGURATION

    return compare(PP_LOADS, load_catalogs(), axes=CONFIGURATION | {"pp": [2]}, requests=3000,
                   compute_model="profile")


@pytest.mark.parametrize("k", range(len(PP_LOADS)), ids=[f"{f:.0%}" for f in PP_LOADS])
def test_closed_form_matches_the_simulation_for_a_pipeline_replica(pipelined, k):
    """The same bounds as the unpipelined replica (measured: every error within 4 %; the P99 TPOT at 90 %
    -11.6 %, one-sided as there), with the prompt priced per stage in rho and the capacity and over both
    stages in TTFT, in the closed form and in the simulation alike."""
    point = pipelined[k]
    for column in ("ttft_p50_s", "ttft_p99_s", "ttft_mean_s", "tpot_under_load_s"):
        assert abs(point[f"error_{column}"]) <= 0.10, (column, point)
    if point["fraction"] <= 0.7:
        assert abs(point["error_tpot_p99_s"]) <= 0.10, point
    else:
        assert -0.30 <= point["error_tpot_p99_s"] < 0.0, point


def test_a_pipeline_replica_by_hand():
    """Two stages, each doing half of a prompt's prefill (1,000 tokens x 0.1 ms = 0.1 s over both), 10 ms
    rounds. A lone request: its round holds its stage share, 0.05 s, and its first token leaves the last
    stage 0.05 s later: TTFT 0.1 s, as at pp 1; its tokens then come 10 ms apart (TPOT 0.01 s). Two requests
    at t = 0: one round prefills both, 2 x 0.05 = 0.1 s (0.2 s at pp 1), and each first token comes the rest
    of its own prompt's way later, 0.05 s: TTFT 0.15 s both (0.2 s at pp 1)."""
    from pipeline.validation.simulate import burst

    lone = simulate(Replica(lambda b: 0.01, 1e-4, 0.0, 256, 8192, 1000, 11, stage_share=0.5), 0.05, requests=300,
                    warmup=10)
    assert lone.ttft_p50_s == pytest.approx(0.1, rel=1e-9)
    assert 0.01 <= lone.tpot_mean_s <= 0.0103
    two = burst(Replica(lambda b: 0.01, 1e-4, 0.0, 256, 8192, 1000, 11, stage_share=0.5), 2)
    assert two.ttfts == pytest.approx([0.15, 0.15], rel=1e-9)
    assert burst(Replica(lambda b: 0.01, 1e-4, 0.0, 256, 8192, 1000, 11), 2).ttfts == pytest.approx([0.2, 0.2])


@pytest.mark.parametrize("case", [
    # G, cap, round d(k) = d0 + beta k (s), prefill s per prompt token (100-token prompts), lambda (1/s)
    (20, 8, 0.01, 0.0, 0.0004, 13.0),  # prefill share rho_p 0.52, wall 7's utilization 0.845
    (50, 16, 0.01, 0.0005, 0.0002, 12.0),  # rho_p 0.24, utilization 0.915
], ids=["prefill-heavy", "decode-heavy"])
def test_the_batch_in_flight_matches_the_simulation_with_a_queue_before_the_cap(case):
    """Wall 7's batch under Poisson arrivals (``poisson_batch``, the queue in front of the cap served at the replica's
    capacity, ``tail_latency.full_replica_rate``) against the simulation's time-averaged sequences admitted, where the
    cap is reached often: within 5 %. At the cap a slot frees cap / G times an iteration and each admission adds its
    prompt to the iteration, so a full replica completes 1 / (tau + G d(cap) / cap) requests/s, not the chain's
    cap (1 - lambda tau) / (G d(cap)) (which puts the prefill-heavy case 9.5 % low: 5.43 against 6.00)."""
    from pipeline import scalar
    from pipeline.units import expression_library
    from pipeline.walls.poisson_batch import poisson_batch
    from pipeline.walls.tail_latency import full_replica_rate

    g, cap, d0, beta, per_token, lam = case
    tau = per_token * 100

    def d(k):
        return d0 + beta * k
    with expression_library(scalar):
        c = scalar.col
        chain = [c(n) for n in ("lam", "g", "rho", "cap", "fluid", "d1", "db", "dc")]
        f = scalar.compile_function({"b": poisson_batch(*chain, capacity=c("mu")), "own": poisson_batch(*chain)})
    closed = f({"lam": lam, "g": g, "rho": lam * tau, "cap": cap, "fluid": cap / 2, "d1": d(1), "db": d(cap / 2),
                "dc": d(cap), "mu": full_replica_rate(tau, g, d(cap), cap)})
    sim = simulate(Replica(d, per_token, 0.0, cap, None, 100, g), lam, requests=20000, warmup=4000, seed=1)
    assert closed["b"] == pytest.approx(sim.batch_mean, rel=0.05)
    if lam * tau > 0.5:
        assert closed["own"] < 0.92 * sim.batch_mean
