"""The birth-death batch in closed form (pipeline.walls.poisson_batch) against hand calculations and the exact sum."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import scalar
from pipeline.studies.serving_load import Staged
from pipeline.units import expression_library
from pipeline.walls.poisson_batch import mean_log, poisson_batch

NAMES = ("lam", "g", "rho", "cap", "fluid", "d1", "db", "dc")


def closed_form(**values) -> float:
    with expression_library(scalar):
        c = scalar.col
        f = scalar.compile_function({"b": poisson_batch(*(c(n) for n in NAMES))})
    return f(values)["b"]


def with_knee(**values) -> float:
    with expression_library(scalar):
        c = scalar.col
        f = scalar.compile_function({"b": poisson_batch(*(c(n) for n in NAMES), knee=c("knee"), round_knee=c("dk"))})
    return f(values)["b"]


def exact(lam, g, rho, cap, fluid, d1, db, dc, knee=None, dk=None) -> float:
    """E[min(k, cap)] summed state by state, the round affine through (1, d1), (fluid, db), (cap, dc) and, if given,
    (knee, dk); beyond the cap a geometric queue at the rate at the cap."""
    b = min(max(fluid, 1.0), cap)
    points = sorted({(1.0, d1), (b, db), (cap, dc)} | ({(knee, dk)} if knee is not None else set()))

    def d(k):
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if k <= x1 or x1 == cap:
                return y0 + (y1 - y0) * (k - x0) / (x1 - x0) if x1 > x0 else y1
        return dc
    logs, total = [0.0], 0.0
    for k in range(1, int(cap) + 1):
        total += math.log(lam * g * d(k) / ((1 - rho) * k))
        logs.append(total)
    top = max(logs)
    w = [math.exp(x - top) for x in logs]
    r = lam * g * dc / ((1 - rho) * cap)
    if r >= 1:
        return cap
    tail = w[-1] * r / (1 - r)
    return (sum(k * x for k, x in enumerate(w)) + cap * tail) / (sum(w) + tail)


def test_constant_service_rate_is_m_m_1():
    """A round proportional to the batch (d = beta k): the chain completes at a constant rate 1 / (G beta), an
    M/M/1 queue with rho = lambda G beta, mean rho / (1 - rho) (Kleinrock 1975, §3.2): 0.8 -> 4."""
    values = {"lam": 1.0, "g": 100.0, "rho": 0.0, "cap": 2000.0, "fluid": 50.0, "d1": 0.008, "db": 0.4, "dc": 16.0}
    assert closed_form(**values) == pytest.approx(4.0, rel=0.01)


def test_flat_round_is_poisson():
    """A round that does not grow with the batch (d constant): mu(k) = k / (G d), an M/M/inf queue whose batch is
    Poisson with mean lambda G d (Kleinrock 1975, §3.4), 2 x 50 x 0.1 = 10, the fluid batch."""
    values = {"lam": 2.0, "g": 50.0, "rho": 0.0, "cap": 400.0, "fluid": 10.0, "d1": 0.1, "db": 0.1, "dc": 0.1}
    assert closed_form(**values) == pytest.approx(10.0, rel=0.01)


def test_two_states_by_hand():
    """cap 2, lambda = G = 1, rho_p = 1/2, the round 1 at one sequence and 0.75 at two: pi(1) / pi(0) = lambda G d(1) /
    ((1 - rho_p) 1) = 2, pi(2) / pi(1) = 0.75 / (0.5 x 2) = 0.75, so pi = 1 : 2 : 1.5; beyond the cap the same rate,
    r = 0.75, the tail pi(2) r / (1 - r) = 4.5. E[min(k, 2)] = (2 + 2 x 1.5 + 2 x 4.5) / (1 + 2 + 1.5 + 4.5) = 14 / 9
    (the round at the fluid batch 1.5, affine between, read by no state)."""
    values = {"lam": 1.0, "g": 1.0, "rho": 0.5, "cap": 2.0, "fluid": 1.5, "d1": 1.0, "db": 0.875, "dc": 0.75}
    assert exact(**values) == pytest.approx(14.0 / 9.0)
    assert closed_form(**values) == pytest.approx(14.0 / 9.0, rel=0.01)


def test_queue_beyond_the_cap_at_the_replica_capacity_by_hand():
    """The two states above with the queue in front of the cap served at a given capacity (wall 7's, batched
    prompts) instead of the chain's rate there: lambda = 1, capacity 4 / 3, r = 0.75 as before -> 14 / 9 again;
    capacity 2, r = 1/2, the tail pi(2) r / (1 - r) = 1.5: (2 + 2 x 1.5 + 2 x 1.5) / (1 + 2 + 1.5 + 1.5) = 8 / 6.
    A round of 1 at both states: pi = 1 : 2 : 2 and the chain's own rate at the cap 1 = lambda (unstable: the cap);
    at a capacity of 2 the tail is 2 and the mean (2 + 2 x 2 + 2 x 2) / 7 = 10 / 7."""
    values = {"lam": 1.0, "g": 1.0, "rho": 0.5, "cap": 2.0, "fluid": 1.5, "d1": 1.0, "db": 0.875, "dc": 0.75}
    assert queued(values, 4.0 / 3.0) == pytest.approx(14.0 / 9.0, rel=0.01)
    assert queued(values, 2.0) == pytest.approx(8.0 / 6.0, rel=0.01)
    saturated = values | {"db": 1.0, "dc": 1.0}
    assert closed_form(**saturated) == 2.0
    assert queued(saturated, 2.0) == pytest.approx(10.0 / 7.0, rel=0.01)


def queued(values: dict, capacity: float) -> float:
    with expression_library(scalar):
        c = scalar.col
        f = scalar.compile_function({"b": poisson_batch(*(c(n) for n in NAMES), capacity=c("mu"))})
    return f(values | {"mu": capacity})["b"]


@pytest.mark.parametrize("values", [
    # H200 TP1 Llama 2 70B near its capacity (r-srvq's CTS x1: fluid 239, cap 841) and at lighter loads
    {"lam": 14.5, "g": 291.0, "rho": 0.44, "cap": 841.0, "fluid": 239.0, "d1": 0.0135, "db": 0.0319, "dc": 0.1054},
    {"lam": 6.0, "g": 291.0, "rho": 0.15, "cap": 841.0, "fluid": 46.0, "d1": 0.0135, "db": 0.0160, "dc": 0.1054},
    {"lam": 0.5, "g": 291.0, "rho": 0.01, "cap": 841.0, "fluid": 2.0, "d1": 0.0135, "db": 0.0137, "dc": 0.1054},
    # a round growing faster than the batch past the fluid point: the chain piles up at the cap
    {"lam": 26.2, "g": 292.0, "rho": 0.42, "cap": 1048.0, "fluid": 446.0, "d1": 0.02, "db": 0.0336, "dc": 0.0813},
    # a decode rate still rising to the cap: close to the fluid batch
    {"lam": 8.0, "g": 128.0, "rho": 0.2, "cap": 256.0, "fluid": 60.0, "d1": 0.01, "db": 0.0469, "dc": 0.12},
])
def test_matches_the_exact_sum(values):
    assert closed_form(**values) == pytest.approx(exact(**values), rel=0.015)


# wall 7's round on H200 at fp8 (r-knee/nodes_check.py): Mixtral 8x7B's concave knee (5.25 ms at 1, 14.62 at 64, 84.69
# at the cap 2467, the experts all read by 64) and Llama 2 70B's convex one (20.42 at 1, 24.02 at 128, 108.77 at 841,
# compute-bound past ~200), each with a fourth priced batch on either side of the fluid one
@pytest.mark.parametrize("values", [
    {"lam": 49.0, "g": 146.0, "rho": 0.53, "cap": 2467.0, "fluid": 632.0, "d1": 0.00525, "db": 0.02527,
     "dc": 0.08469, "knee": 185.0, "dk": 0.01635},
    {"lam": 49.0, "g": 146.0, "rho": 0.53, "cap": 2467.0, "fluid": 64.0, "d1": 0.00525, "db": 0.01462,
     "dc": 0.08469, "knee": 296.0, "dk": 0.01853},
    {"lam": 14.2, "g": 291.0, "rho": 0.447, "cap": 841.0, "fluid": 252.0, "d1": 0.02042, "db": 0.03430,
     "dc": 0.10877, "knee": 380.0, "dk": 0.04960},
    {"lam": 14.2, "g": 291.0, "rho": 0.447, "cap": 841.0, "fluid": 380.0, "d1": 0.02042, "db": 0.04960,
     "dc": 0.10877, "knee": 128.0, "dk": 0.02402},
])
def test_a_third_piece_matches_the_exact_sum(values):
    assert with_knee(**values) == pytest.approx(exact(**values), rel=0.015)


def test_a_knee_on_the_line_changes_nothing():
    """A fourth batch on the straight piece it falls in: the same round, the same batch as without it."""
    values = {"lam": 14.5, "g": 291.0, "rho": 0.44, "cap": 841.0, "fluid": 239.0, "d1": 0.0135, "db": 0.0319,
              "dc": 0.1054}
    on_line = 0.0319 + (0.1054 - 0.0319) * (500.0 - 239.0) / (841.0 - 239.0)
    assert with_knee(**values, knee=500.0, dk=on_line) == pytest.approx(closed_form(**values), rel=1e-6)


def test_unstable_is_the_cap():
    values = {"lam": 1.0, "g": 100.0, "rho": 1.2, "cap": 64.0, "fluid": 64.0, "d1": 0.01, "db": 0.02, "dc": 0.02}
    assert closed_form(**values) == 64.0


def test_polars_and_scalar_agree():
    rows = [{"lam": 14.5, "g": 291.0, "rho": 0.44, "cap": 841.0, "fluid": 239.0, "d1": 0.0135, "db": 0.0319,
             "dc": 0.1054},
            {"lam": 2.0, "g": 50.0, "rho": 0.0, "cap": 400.0, "fluid": 10.0, "d1": 0.1, "db": 0.1, "dc": 0.1}]
    staged = Staged(pl.DataFrame(rows).lazy(), "__t")  # a polars plan reads each staged term as a column
    batch = poisson_batch(*(pl.col(n) for n in NAMES), stage=staged)
    got = staged.frame.select(batch.alias("b")).collect()["b"].to_list()
    assert got == pytest.approx([closed_form(**r) for r in rows], rel=1e-9)


def test_polars_and_scalar_agree_with_a_knee():
    rows = [{"lam": 49.0, "g": 146.0, "rho": 0.53, "cap": 2467.0, "fluid": 632.0, "d1": 0.00525, "db": 0.02527,
             "dc": 0.08469, "knee": 185.0, "dk": 0.01635},
            {"lam": 14.2, "g": 291.0, "rho": 0.447, "cap": 841.0, "fluid": 252.0, "d1": 0.02042, "db": 0.03430,
             "dc": 0.10877, "knee": 380.0, "dk": 0.04960}]
    staged = Staged(pl.DataFrame(rows).lazy(), "__t")
    batch = poisson_batch(*(pl.col(n) for n in NAMES), stage=staged, knee=pl.col("knee"), round_knee=pl.col("dk"))
    got = staged.frame.select(batch.alias("b")).collect()["b"].to_list()
    assert got == pytest.approx([with_knee(**r) for r in rows], rel=1e-9)


def test_mean_log_by_hand():
    """The mean of ln u for u from 1 to e: (e - 0) / (e - 1) - 1 = 1 / (e - 1); equal ends: ln u."""
    with expression_library(scalar):
        f = scalar.compile_function({"m": mean_log(scalar.col("u0"), scalar.col("u1"))})
    assert f({"u0": 1.0, "u1": math.e})["m"] == pytest.approx(1.0 / (math.e - 1.0))
    assert f({"u0": 2.0, "u1": 2.0})["m"] == pytest.approx(math.log(2.0))
