"""Wall 7's prompts-per-iteration fixed point, solved (``serving_fixed_point.prompts_bracketed``): roots by hand where
iterating the map alternates, and the answer independent of the step count (r-mixamd's MI325X Mixtral row, which
alternated with period 2 under the iteration: r-mixamd/README.md)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import scalar
from pipeline.runs import prepared
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.studies.serving_load import LOAD_ITERATIONS, prompts_per_iteration
from pipeline.studies.serving_fixed_point import batch_bracketed, bracket_update, prompts_bracketed
from pipeline.units import expression_library

LAM, SHARE, CHUNK = 100.0, 1.0, 36.0  # arrivals/s per replica, the busiest stage's share, the budget's prompts


def affine(m):
    """A prefill pass of m prompts: 40 ms of weights, 2 ms a prompt (P(m) = a + b m)."""
    return 0.040 + 0.002 * m


def kinked(m):
    """A weight-bound pass (30 ms) up to 6 prompts, a compute-bound one (5 ms a prompt) beyond, plus 1 ms a prompt."""
    return max(0.030, 0.005 * m) + 0.001 * m


def solve(price, decode_s, steps):
    """``steps`` solver steps on polars, each pricing the pass at its estimate; the estimates."""
    passes = [(pl.lit(1.0), pl.lit(price(1.0))), (pl.lit(CHUNK), pl.lit(price(CHUNK)))]
    out = []
    for _ in range(steps):
        m = pl.select(prompts_bracketed(pl.lit(LAM), pl.lit(SHARE), pl.lit(decode_s), passes)).item()
        passes.append((pl.lit(m), pl.lit(price(m))))
        out.append(m)
    return out


def iterate(price, decode_s, steps):
    """The map m <- prompts_per_iteration(tau(m)) the plan iterated before, from a lone prompt."""
    m, out = 1.0, []
    for _ in range(steps):
        tau = price(m) / m * SHARE
        m = pl.select(prompts_per_iteration(pl.lit(LAM), pl.lit(1.0), pl.lit(tau), pl.lit(decode_s),
                                            pl.lit(CHUNK))).item()
        out.append(m)
    return out


def test_an_affine_pass_is_solved_in_one_step_where_iterating_alternates():
    """lambda 100/s, d 20 ms, P(m) = 40 ms + 2 ms m: m (1 - 100 x 0.002) = 100 (0.02 + 0.04), m = 6 / 0.8 = 7.5
    (check: tau = 40 / 7.5 + 2 = 7.333 ms, 1 - lambda tau = 0.2667, lambda d / that = 2 / 0.2667 = 7.5). The map's
    slope there is -s a / d = -2: from a lone prompt (lambda tau = 4.2, arrivals queue) it jumps to the whole 36,
    then tau = 3.11 ms, 2 / (1 - 0.311) = 2.90, then 36 again: period 2."""
    assert solve(affine, 0.020, 3) == pytest.approx([7.5] * 3, rel=1e-12)
    alternating = iterate(affine, 0.020, 8)
    assert sorted(alternating[-2:]) == pytest.approx([2.9032, CHUNK], rel=1e-4)


def test_a_kinked_pass_is_solved_to_its_root():
    """P(m) = max(30 ms, 5 ms m) + 1 ms m, lambda 100/s, d 40 ms: on the weight-bound piece h(m) = m - 100 P(m)
    - 4 = 0.9 m - 7 vanishes at 7.78 > 6, off the piece; on the compute-bound one h = m - 0.6 m - 4 = 0.4 m - 4:
    m = 10 (check: tau = 6 ms, lambda d / (1 - 0.6) = 4 / 0.4 = 10). Steps N and N + 1 agree from the fourth."""
    steps = solve(kinked, 0.040, 6)
    assert steps[-1] == pytest.approx(10.0, rel=1e-12)
    assert steps[3] == pytest.approx(steps[4], rel=1e-9)


def test_the_ends_a_lone_prompt_and_the_whole_budget():
    """d 1 ms and a 1 ms lone pass at 100/s: h(1) = 1 - 0.1 - 0.1 > 0, a lone prompt. d 1 s: h(36) = 36 - 100 x
    0.112 - 100 < 0, arrivals queue, the whole budget (36). Plain values (``scalar``) agree with polars."""
    assert solve(lambda m: 0.001 * m, 0.001, 2) == [1.0, 1.0]
    assert solve(affine, 1.0, 2) == [CHUNK, CHUNK]
    with expression_library(scalar):
        c = scalar.col
        passes = [(c("m0"), c("p0")), (c("m1"), c("p1"))]
        f = scalar.compile_function({"m": prompts_bracketed(c("lam"), c("share"), c("d"), passes)})
    values = {"lam": LAM, "share": SHARE, "d": 0.020, "m0": 1.0, "p0": affine(1.0), "m1": CHUNK, "p1": affine(CHUNK)}
    assert f(values)["m"] == pytest.approx(7.5, rel=1e-12)


def mixtral_spec(concurrency: int | None = None, dataset: bool = True) -> dict:
    """One Mixtral 8x7B MI325X TP1 replica of AMD's MLPerf v5.1 Server run (8 replicas, 420.16 samples/s, 144
    output tokens, vLLM, 10 scheduler steps; r-mixamd/oscillation.py) or a closed loop of users; without the
    ``dataset``, its mean lengths (427 / 144 tokens) as axes."""
    axes = {"model": ["Mixtral 8x7B"], "hardware": ["MI325X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [1], "pp": [1], "ep": [1], "batch": [512], "replicas": [8]}
    axes |= {"request_rate": [420.16]} if concurrency is None else {"concurrency": [concurrency]}
    spec = {"study": "serving", "efficiency": {"framework": "vLLM"}, "serving": {"scheduler_steps": 10}}
    if dataset:
        return spec | {"axes": axes | {"dataset": ["mlperf-mixtral-8x7b-mix"]},
                       "overrides": {"workloads.output_tokens_mean": "144 tok"}}
    return spec | {"axes": axes | {"prompt_len": [427], "output_len": [144]}}


def mixtral(iterations: int, spec: dict) -> dict:
    """Wall 7 on ``spec``'s row by the plan, with ``iterations`` steps."""
    space = prepared.prepare(parse_spec(spec, "mixtral")).space
    return serving.build(space, load_iterations=iterations).frame.collect().row(0, named=True)


COLUMNS = ("ttft_mean_s", "ttft_p99_s", "tpot_under_load_s", "batch_in_flight", "utilization")


@pytest.mark.parametrize("concurrency", [None, 400])
def test_the_mixtral_row_does_not_hang_on_the_step_count(concurrency):
    """Iterated, 6 steps said unstable and 7 stable (r-mixamd). Solved: the shipped count and one more agree to
    1e-6, and the row is stable (open loop); the closed loop alike."""
    rows = [mixtral(n, mixtral_spec(concurrency)) for n in (LOAD_ITERATIONS, LOAD_ITERATIONS + 1)]
    if concurrency is None:
        assert rows[0]["is_stable"] and rows[1]["is_stable"]
    for column in COLUMNS:
        assert rows[1][column] == pytest.approx(rows[0][column], rel=1e-6), column


def test_one_configuration_solves_the_same_point():
    """The plain-value path (``under_load_values``, ``studies.single``) gives the plan's row."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.studies import single

    spec = mixtral_spec(dataset=False)
    one = single.answer(parse_spec(spec, "one"), load_catalogs()).rows[0]
    row = mixtral(LOAD_ITERATIONS, spec)
    for column in COLUMNS:
        assert one[column] == pytest.approx(row[column], rel=1e-9), column


def bracketed_batches(little, cap, steps):
    """``steps`` estimates of b = L(b) by ``batch_bracketed`` / ``bracket_update`` on polars, from [1, cap]."""
    def residual(b):
        return min(max(little(b), 1.0), cap) - b  # L clipped to [1, cap] as ``next_load_batch``'s

    bracket = {"lo": 1.0, "r_lo": residual(1.0), "hi": cap, "r_hi": residual(cap), "side": 0.0}
    out = []
    for _ in range(steps):
        b = pl.select(batch_bracketed(*(pl.lit(bracket[x]) for x in ("lo", "r_lo", "hi", "r_hi")))).item()
        update = bracket_update(*(pl.lit(bracket[x]) for x in ("lo", "r_lo", "hi", "r_hi", "side")), pl.lit(b),
                                pl.lit(residual(b)))
        bracket = {x: pl.select(e).item() for x, e in update.items()}
        out.append(b)
    return out


def test_the_batch_in_flight_by_hand():
    """L(b) = 100 + 0.5 b (a decode pass affine in b): b = 200, the first regula falsi point (r(1) = 99.5,
    r(1000) = -400: 1 + 999 x 99.5 / 499.5 = 200). L(b) = 50 + 20 sqrt(b): sqrt(b) = (20 + sqrt(600)) / 2 =
    22.2474, b = 494.949 (Illinois: to 1e-9 in 8 steps). L(b) = 100 + 1.2 b: no root below the cap, the cap."""
    assert bracketed_batches(lambda b: 100.0 + 0.5 * b, 1000.0, 1) == pytest.approx([200.0], rel=1e-12)
    root = ((20.0 + 600.0 ** 0.5) / 2.0) ** 2
    assert root == pytest.approx(494.949, rel=1e-6)
    assert bracketed_batches(lambda b: 50.0 + 20.0 * b ** 0.5, 1000.0, 8)[-1] == pytest.approx(root, rel=1e-9)
    assert bracketed_batches(lambda b: 100.0 + 1.2 * b, 1000.0, 2) == [1000.0, 1000.0]
