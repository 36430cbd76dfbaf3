"""A finite run's prompt prefill priced at whole prompts (pipeline.walls.finite_run): the Poisson mixture of
an iteration's arrivals and the tail beyond the nodes, against values worked by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.walls.finite_run import PROMPT_NODES, poisson_prompt_prefill, tail_prompt_prefill, tail_prompts


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
