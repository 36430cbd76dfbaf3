"""A finite run's prompt prefill priced at whole prompts (pipeline.walls.finite_run): the Poisson mixture of
an iteration's arrivals and the tail beyond the nodes, and the time-resolved fluid's TPOT, against values worked
by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.walls.finite_run import (PROMPT_NODES, arrival_prefill, finished_arrivals, fluid_tpot, iteration_s,
                                       poisson_prompt_prefill, tail_prompt_prefill, tail_prompts)


def test_poisson_mixture_by_hand():
    """m = 2 prompts an iteration, P(1) = 1 s, P(2) = 1.5 s, beyond 2 at 0.6 s a prompt: p1 = p2 = 2 e^-2 =
    0.270671; E[P] = 0.270671 x 2.5 + 0.6 (2 - 0.270671 x 3) = 0.676676 + 0.712793; over m: 0.694735 s."""
    assert poisson_prompt_prefill(2.0, [1.0, 1.5], 0.6) == pytest.approx(0.694735, rel=1e-5)
    frame = pl.DataFrame({"m": [2.0]}).select(poisson_prompt_prefill(pl.col("m"), [pl.lit(1.0), pl.lit(1.5)],
                                                                     pl.lit(0.6)))
    assert frame.item() == pytest.approx(0.694735, rel=1e-5)  # the same on polars expressions


def test_a_fixed_part_is_paid_by_iterations_that_carry_prompts():
    """P(k) = a + b k for k >= 1 (a = 1 s, b = 2 s), P(0) = 0: E[P] = a (1 - e^-m) + b m; at m = 0.5,
    (0.393469 + 1) / 0.5 = 2.786939 s a prompt. With no fixed part a prompt costs b at any m."""
    nodes = [1.0 + 2.0 * k for k in range(1, 41)]
    assert poisson_prompt_prefill(0.5, nodes, 2.0) == pytest.approx(2.786939, rel=1e-6)
    assert poisson_prompt_prefill(3.3, [2.0 * k for k in range(1, PROMPT_NODES + 1)], 2.0) == pytest.approx(2.0)
    assert poisson_prompt_prefill(0.5, nodes, 2.0) != pytest.approx(1.0 + 2.0 * 0.5)  # not P at the mean


def test_the_tail_reads_whole_prompts_either_side():
    """m = 10.25 prompts: between the passes at 10 (5 s) and 11 (5.4 s), (5 + 0.25 x 0.4) / 10.25 = 0.497561 s
    a prompt; below K the tail is the K-prompt pass's share."""
    at, low, high = tail_prompts(10.25)
    assert (at, low, high) == (10.25, 10.0, 11.0)
    assert tail_prompt_prefill(at, low, 5.0, 5.4) == pytest.approx(0.497561, rel=1e-6)
    at, low, high = tail_prompts(3.0)
    assert (at, low, high) == (float(PROMPT_NODES), float(PROMPT_NODES), PROMPT_NODES + 1.0)
    assert tail_prompt_prefill(at, low, 4.0, 9.0) == pytest.approx(4.0 / PROMPT_NODES)


def test_the_slope_of_an_iterations_prefill():
    """dQ/dm of E[P(k)], k ~ Poisson(m): with P(k) = a + b k (k >= 1, a = 1 s, b = 2 s) E[P] = a (1 - e^-m) + b m,
    so dQ/dm = a e^-m + b = 2.606531 s at m = 0.5 (the nodes to k = 8, the tail b a prompt beyond). The tail
    prices k > 8 prompts at b k (no a): Q = a (1 - e^-m - Pr(k > 8)) + b m, d Pr(k > 8) / dm = w_8 = e^-m m^8 / 8!,
    so at m = 3.3 the slope is 2 + e^-3.3 - 0.012866 = 2.024017 s (2.036883 with the a beyond 8)."""
    nodes = [1.0 + 2.0 * k for k in range(1, PROMPT_NODES + 1)]
    q, slope = arrival_prefill(0.5, nodes, 2.0)
    assert q == pytest.approx(1.393469, rel=1e-5)
    assert slope == pytest.approx(2.606531, rel=1e-5)  # w_8 at m = 0.5 is 2e-7
    assert arrival_prefill(3.3, nodes, 2.0)[1] == pytest.approx(2.024017, rel=1e-6)


def test_the_arrival_that_finished_by_hand():
    """Iterations done 0, 2, 6, 7 at t = 0, 1, 2, 3 s: I = 4 is reached half way through the second step (t = 1.5
    s); I = 6.5 half way through the third (2.5 s); a target at or below 0 gives 0, one past the last 3 s."""
    counts = [0.0, 2.0, 6.0, 7.0]
    assert finished_arrivals(counts, 1.0, 4.0) == pytest.approx(1.5)
    assert finished_arrivals(counts, 1.0, 6.5) == pytest.approx(2.5)
    assert finished_arrivals(counts, 1.0, -3.0) == 0.0
    assert finished_arrivals(counts, 1.0, 9.0) == pytest.approx(3.0)


def test_the_iteration_while_requests_arrive_by_hand():
    """P(k) = tau k (tau = 20 ms a prompt), d = 10 ms at 40 requests/s: C = d + 40 C tau, C = d / (1 - 0.8) =
    50 ms."""
    passes = [0.02 * k for k in range(1, PROMPT_NODES + 1)]
    assert iteration_s(0.01, 40.0, passes, 0.02, 0.02) == pytest.approx(0.05)


def test_fluid_tpot_by_hand():
    """160 requests at 16/s (A = 10 s), 60 decode iterations each, a decode pass d = 25 ms at any batch and a
    prompt tau = 25 ms (rho = 0.4): while they arrive an iteration lasts C = d / (1 - rho) = 41.667 ms, a request
    decodes R = 60 C = 2.5 s, b = 16 min(t, R) to A: 16 (A R - R^2 / 2) = 350 request-seconds; then each
    iteration lasts d and the batch falls as 16 (60 - u) C over the u-th: 16 C d 60^2 / 2 = 30. TPOT = 380 /
    (160 x 60) = 39.583 ms (the steps land on the kinks: exact). Floats and polars alike."""
    passes = [0.025 * k for k in range(1, PROMPT_NODES + 1)]
    tpot = fluid_tpot(160.0, 16.0, 60.0, 0.0, 0.4, 512.0, passes, 0.025, lambda b, _: 0.025, lambda v, _: v)
    assert tpot == pytest.approx(0.0395833, rel=1e-5)
    held = {"frame": pl.DataFrame({"n": [160.0], "rate": [16.0]})}

    def keep(value, name):  # each step's values a column, as the study stores them
        if isinstance(value, list):
            held["frame"] = held["frame"].with_columns(v.alias(f"{name}{i}") for i, v in enumerate(value))
            return [pl.col(f"{name}{i}") for i in range(len(value))]
        held["frame"] = held["frame"].with_columns(value.alias(name))
        return pl.col(name)

    value = fluid_tpot(pl.col("n"), pl.col("rate"), 60.0, 0.0, 0.4, 512.0, [pl.lit(p) for p in passes], 0.025,
                       lambda b, _: pl.lit(0.025), keep)
    assert held["frame"].select(value).item() == pytest.approx(0.0395833, rel=1e-5)
