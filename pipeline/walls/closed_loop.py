"""Wall 7 in a closed loop: ``concurrency`` users, each sending a request, reading its answer to the last
token and sending the next one at once (zero think time), as serving benchmarks run at a fixed concurrency
(vLLM's and SGLang's benchmark_serving ``--max-concurrency``, NVIDIA GenAI-Perf / AIPerf ``--concurrency``).

A replica's ``c`` users (concurrency / replicas, a load balancer spreading them evenly) cycle through
TTFT and G - 1 decode iterations, so the replica completes X = c / (TTFT + (G - 1) TPOT) requests/s
(the interactive response-time law, R = N / X - Z with think time Z = 0; Lazowska et al. 1984,
Quantitative System Performance, §3.5). By the arrival theorem of closed networks (Reiser & Lavenberg
1980, "Mean-value analysis of closed multichain queuing networks", JACM 27(2)) a request meets the replica
as the other c - 1 users leave it: the prompts that stretch its iterations arrive at
X (c - 1) / c (``closed_loop_arrival_share``; wall 7's rate per replica), so a single user never waits and
decodes alone. Wall 7's terms then apply unchanged at that rate: the mean iteration d / (1 - rho) and
TPOT (``tail_latency.tpot_under_load_s``), the batch in flight and the prompt's batched prefill price
(the fixed point, ``pipeline.studies.serving_load.closed_loop_load``).

TTFT differs from an open loop's: a user's next request leaves the client when the previous answer's last
token arrives, and by then the scheduler has already started the next iteration (vLLM's engine core
schedules a step as soon as the one before ends, while the API server detokenizes and streams its
output; TensorRT-LLM's executor alike), so the request waits for that whole iteration, a typical one
of mean d / (1 - rho), not the residual of a length-biased one as a Poisson arrival does
(``closed_loop_ttft``). The simulation runs the same loop (pipeline/validation/simulate.py,
``closed_loop``).
"""

from __future__ import annotations

import math

from pipeline.units import E, Plain, UExpr, maximum, only_where, where
from pipeline.walls.registries import serving_column


def closed_loop_ttft(busy, iteration_s, rho, prompt_prefill_s, chunks):
    """Mean TTFT of a closed-loop request (plain numbers or expressions): where another user keeps the
    replica busy (``busy`` 1, else 0), the iteration under way, E[C] = d / (1 - rho) with d the decode
    pass and the scheduler's overhead (``iteration_s``); then its own prefill tau_p in ``chunks``
    iterations of the token budget (Sarathi-Serve's chunked prefill, Agrawal et al. 2024, §4), each beside a
    decode pass of the others and the prompts that arrived during the one before, rho E[C] (Poisson in
    count, wall 7's cycle). One user: tau_p exactly."""
    cycle = iteration_s / (1.0 - rho)
    return busy * (cycle + chunks * iteration_s) + prompt_prefill_s + chunks * rho * cycle


def unstaged(**named):
    """``named`` as they are: the default ``stage`` of ``largest_cubic_root`` and ``closed_loop_rate`` (the scalar
    backend computes a node once however often it is read; a polars plan would expand every reading)."""
    return named


def largest_cubic_root(a, b, c, stage=unstaged):
    """The largest real root of x^3 + a x^2 + b x + c (expressions of the library in use, ``units.E``), as
    Numerical Recipes gives the roots (Press et al., 3rd ed. 2007, §5.6 "Quadratic and Cubic Equations"):
    Q = (a^2 - 3b) / 9, R = (2a^3 - 9ab + 27c) / 54; where R^2 < Q^3 three real roots, the largest
    -2 sqrt(Q) cos((theta + 2 pi) / 3) - a / 3 with theta = arccos(R / sqrt(Q^3)); else one,
    A + B - a / 3 with A = -sign(R) (|R| + sqrt(R^2 - Q^3))^(1/3) (the sign that avoids cancellation) and
    B = Q / A (0 where A is). ``stage(name=expression, ...)`` returns what to read each as (columns in a plan)."""
    staged = stage(a=a, q=(a * a - 3.0 * b) / 9.0, r=(2.0 * a * a * a - 9.0 * a * b + 27.0 * c) / 54.0)
    a, q, r = staged["a"], staged["q"], staged["r"]
    theta = (r / (q * q.sqrt())).clip(-1.0, 1.0).arccos()
    largest_of_three = -2.0 * q.sqrt() * ((theta + 2.0 * math.pi) / 3.0).cos()
    size = (r.abs() + (r * r - q * q * q).sqrt()) ** (1.0 / 3.0)
    big = stage(big=E.when(r > 0.0).then(-size).otherwise(size))["big"]  # A
    one = big + E.when(big != 0.0).then(q / big).otherwise(0.0)
    return E.when(r * r < q * q * q).then(largest_of_three).otherwise(one) - a / 3.0


@serving_column
def closed_loop_users_per_replica(concurrency: UExpr, replicas: UExpr) -> UExpr:
    """A replica's share of the users in flight, concurrency / replicas (null: an open loop)."""
    return (concurrency / replicas).clip(lower=1)


@serving_column
def closed_loop_arrival_share(closed_loop_users_per_replica: UExpr) -> UExpr:
    """The share of a replica's arrivals a request meets, (c - 1) / c: the others' (arrival theorem;
    1 in an open loop, where a Poisson arrival meets the time average)."""
    c = closed_loop_users_per_replica
    return ((c - 1.0) / c).fill_null(1.0)


@serving_column
def prefill_chunk_iterations(prefill_new_tokens: UExpr, prefill_chunk_tokens: UExpr) -> UExpr:
    """Iterations one prompt's prefill spans under the framework's token budget, ceil(P / budget), at least 1
    (no budget: 1)."""
    return (prefill_new_tokens / prefill_chunk_tokens).to("").ceil().fill_null(1.0).clip(lower=1)


@serving_column
def closed_loop_ttft_mean_s(is_stable: Plain, closed_loop_users_per_replica: UExpr, load_round_s: UExpr,
                            prefill_utilization: UExpr, prefill_time_one_request_s: UExpr,
                            prefill_chunk_iterations: UExpr, closed_loop_saturated: Plain,
                            closed_loop_queued_ttft_s: UExpr) -> UExpr:
    """Mean time to first token in a closed loop (``closed_loop_ttft``, its iteration wall 7's decode pass with the
    scheduler's overhead, ``load_round_s``; null in an open loop); where more users cycle than the replica serves,
    the queue's, never below that (``pipeline.walls.closed_loop_saturation``)."""
    busy = (closed_loop_users_per_replica - 1.0).clip(lower=0, upper=1)  # a fraction of a user: that share
    ttft = closed_loop_ttft(busy, load_round_s, prefill_utilization, prefill_time_one_request_s,
                            prefill_chunk_iterations).to("s")
    ttft = where(closed_loop_saturated, maximum(closed_loop_queued_ttft_s, ttft), ttft)
    return only_where(is_stable & closed_loop_users_per_replica.is_not_null(), ttft)
