"""Wall 7 (tail latency): a serving deployment under a request rate.

``replicas`` copies of the tp x pp system share a Poisson stream of ``request_rate``
requests/s. Each replica batches continuously: decode rounds carry every sequence in
flight (with their compute term) and prefill chunks of arriving requests share the
rounds, so a replica spends the fraction u_p = lambda_r x tau_p of its time on prefill
(tau_p: one request's prefill) and a decode round takes itl(b) / (1 - u_p). The batch in
flight b follows from Little's law, b = lambda_r x G x itl(b) / (1 - u_p) with G the
generated tokens, solved by a fixed number of vectorized iterations in the study (the
``*_at_load`` inputs). Capacity is what a replica sustains at its largest batch,
mu = 1 / (tau_p + G x itl(b_cap) / b_cap); the replicas form an M/M/c queue
(Erlang C: probability of waiting and the exponential tail of the wait, Kleinrock 1975,
Queueing Systems vol. 1, §3.5), which gives P50 and P99 time to first token.
"""

from __future__ import annotations

import math

from pipeline.units import Plain, UExpr, only_where, total, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column

MAX_REPLICAS = 64  # the Erlang recurrence is unrolled this far; the spec rejects more replicas


@serving_column
def request_rate_per_replica(request_rate: UExpr, replicas: UExpr) -> UExpr:
    return request_rate / replicas


@serving_column
def prefill_utilization(request_rate_per_replica: UExpr, prefill_time_one_request_s: UExpr) -> UExpr:
    """Share of a replica's time spent prefilling arriving prompts: lambda_r x tau_p."""
    return (request_rate_per_replica * prefill_time_one_request_s).to("")


@serving_column
def capacity_requests_per_s(prefill_time_one_request_s: UExpr, generated_tokens: UExpr,
                            itl_at_batch_cap_s: UExpr, load_batch_cap: UExpr) -> UExpr:
    """Requests/s one replica sustains: each costs its prefill plus G decode rounds shared by b_cap."""
    per_request = prefill_time_one_request_s + (generated_tokens / TOKEN) * itl_at_batch_cap_s / load_batch_cap
    return (1.0 / per_request).to("1/s")


@serving_column
def request_service_time_cv(prefill_time_one_request_s: UExpr, prompt_len: UExpr, itl_at_batch_cap_s: UExpr,
                    load_batch_cap: UExpr, capacity_requests_per_s: UExpr, input_tokens_std: UExpr,
                    output_tokens_std: UExpr, input_output_correlation: UExpr) -> UExpr:
    """Coefficient of variation of one request's service time S = a I + b O over a dataset's
    lengths (a = tau_p / prompt tokens, b = itl(b_cap) / b_cap per generated token, first order:
    prefill linear in the prompt): sqrt(a^2 s_I^2 + b^2 s_O^2 + 2 a b r s_I s_O) / E[S], with
    E[S] = 1 / mu. The C_s of M/G/1 waits (Pollaczek-Khinchine, Kleinrock 1975, §5.6) and of
    Kingman's G/G/1 approximation (Kingman 1961); null without a dataset's spread."""
    a = prefill_time_one_request_s / prompt_len * input_tokens_std
    b = itl_at_batch_cap_s / load_batch_cap * (output_tokens_std / TOKEN)
    r = input_output_correlation.fill_null(0)  # only null where a spread is 0 (fixed lengths)
    variance = (a * a + b * b + 2.0 * r * a * b).to("s**2")
    return (variance.sqrt() * capacity_requests_per_s).to("")


@serving_column
def utilization(request_rate: UExpr, replicas: UExpr, capacity_requests_per_s: UExpr) -> UExpr:
    """rho = lambda / (c x mu); >= 1 means the queue grows without bound."""
    return (request_rate / (replicas * capacity_requests_per_s)).to("")


@serving_column
def is_stable(utilization: UExpr, prefill_utilization: UExpr) -> Plain:
    return (utilization < 1.0) & (prefill_utilization < 1.0)


@serving_column
def wait_probability(replicas: UExpr, request_rate: UExpr, capacity_requests_per_s: UExpr,
                     is_stable: Plain) -> UExpr:
    """Erlang C: P(a request waits) with c = replicas servers and offered load a = lambda / mu:
    C = T / (S + T), S = sum_{k<c} a^k / k!, T = a^c / c! x c / (c - a); terms in log space,
    unrolled over k once when the plan is built (each term reads only a and c)."""
    a = (request_rate / capacity_requests_per_s).to("")
    c = replicas
    log_a = a.log()
    head = total(*[where(c > k, (k * log_a - math.lgamma(k + 1)).exp(), 0) for k in range(MAX_REPLICAS)])
    log_c_factorial = total(*[where(c >= k, math.log(k), 0) for k in range(1, MAX_REPLICAS + 1)])
    tail = (c * log_a - log_c_factorial).exp() * c / (c - a)
    erlang_c = tail / (head + tail)
    return only_where(is_stable, erlang_c.clip(0, 1))


def _wait_quantile(q: float, wait_probability: UExpr, replicas: UExpr, capacity_requests_per_s: UExpr,
                   request_rate: UExpr) -> UExpr:
    """Queueing delay exceeded with probability 1 - q: P(W > t) = C exp(-(c mu - lambda) t)."""
    drain = replicas * capacity_requests_per_s - request_rate  # 1/s
    t = (wait_probability / (1.0 - q)).log().clip(lower=0) / drain
    return t.to("s")


@serving_column
def ttft_p50_s(is_stable: Plain, prefill_time_one_request_s: UExpr, prefill_utilization: UExpr,
               wait_probability: UExpr, replicas: UExpr, capacity_requests_per_s: UExpr,
               request_rate: UExpr) -> UExpr:
    """Median time to first token under load: queueing wait, then a prefill that shares the
    replica with running decode rounds."""
    prefill = prefill_time_one_request_s / (1.0 - prefill_utilization)
    wait = _wait_quantile(0.5, wait_probability, replicas, capacity_requests_per_s, request_rate)
    return only_where(is_stable, prefill + wait)


@serving_column
def ttft_p99_s(is_stable: Plain, prefill_time_one_request_s: UExpr, prefill_utilization: UExpr,
               wait_probability: UExpr, replicas: UExpr, capacity_requests_per_s: UExpr,
               request_rate: UExpr) -> UExpr:
    prefill = prefill_time_one_request_s / (1.0 - prefill_utilization)
    wait = _wait_quantile(0.99, wait_probability, replicas, capacity_requests_per_s, request_rate)
    return only_where(is_stable, prefill + wait)


@serving_column
def tpot_under_load_s(is_stable: Plain, itl_at_load_s: UExpr, prefill_utilization: UExpr) -> UExpr:
    """Time per output token under load: a decode round at the batch in flight, stretched by
    the prefill chunks that share it."""
    return only_where(is_stable, itl_at_load_s / (1.0 - prefill_utilization))


@serving_column
def batch_in_flight(is_stable: Plain, load_batch: UExpr) -> UExpr:
    """Sequences a replica decodes at once in steady state (Little's law)."""
    return only_where(is_stable, load_batch)

