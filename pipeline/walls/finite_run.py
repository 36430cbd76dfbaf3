"""Wall 7 for a finite run above capacity: N requests offered at a rate lambda (per replica) that
the steady state cannot sustain (wall 7's ``is_stable`` false), as a serving benchmark runs a fixed
number of requests (TensorRT-LLM's perf-overview: "500 requests" at QPS 2 ... 32 and INF). Over a
finite run nothing grows without bound: the backlog builds while the requests arrive, then drains.

Fluid approximation of the transient queue (Newell 1982, Applications of Queueing Theory, ch. 2:
cumulative arrivals A(t) and departures D(t) as continuous curves, the wait of the k-th customer
the horizontal distance between them; the overloaded D/D/1 from empty, where customer k waits
k (1/mu - 1/lambda)). The server here is wall 7's burst schedule (pipeline.walls.burst), the same
continuous batching: where the requests arrive faster than the burst takes them in (prefill at
the token budget, one wave after another at the batch cap), every request is still waiting when the
burst would have admitted it, so the run follows the burst's schedule exactly: the same iterations
and batches (hence the burst's mean TPOT) and each first token at the burst's time. Request k
arrived k / lambda later than in the burst, so

    mean TTFT = burst mean TTFT - (N - 1) / (2 lambda)    (the mean arrival time, fluid).

At lambda -> infinity this is the burst; the last request waits about N (1/mu - 1/lambda) less its
own service, the D/D/1 case. Where prefill keeps up with the arrivals (lambda below the burst's
prefill rate, decode the bottleneck: the batch grows instead of the queue) the shift undercounts,
and TTFT is what an arrival meets in a replica that never idles: wall 7's iteration carrying
prefill (``tail_latency._ttft_quantile``, idle share 0) at the saturated batch, d + tau + (1/2 + rho)
d / (1 - rho) with d the decode pass at the burst's decode-weighted batch plus the scheduler's
overhead, tau one prompt at the batched chunk's cost and rho = lambda tau. The run's mean TTFT is
the larger of the two (the binding one of the two queues). The discrete-event simulation of the
same policy runs the finite run (pipeline/validation/burst_check.py ``compare_finite``).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, maximum, only_where, where
from pipeline.walls.registries import serving_column


@serving_column
def finite_run_ttft_mean_s(is_stable: Plain, burst_ttft_mean_s: UExpr, burst_requests: UExpr,
                           request_rate_per_replica: UExpr, burst_prefill_iteration_s: UExpr,
                           burst_prefill_batch: UExpr, burst_decode_tpot_s: UExpr,
                           scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """Mean time to first token over a finite run of N requests offered above capacity (module
    docstring): the burst's, less the mean arrival time (N - 1) / (2 lambda), at least an arrival's
    wait in a saturated replica; null where wall 7 finds the rate stable (its steady state holds)."""
    lam = request_rate_per_replica
    shifted = burst_ttft_mean_s - (burst_requests - 1.0) / (2.0 * lam)
    prompt = burst_prefill_iteration_s / burst_prefill_batch  # one prompt at the chunk's cost
    rho = (lam * prompt).to("")
    d = burst_decode_tpot_s + scheduler_overhead_per_iteration_s.fill_null(0)
    saturated = where(rho < 1.0, d + prompt + (0.5 + rho) * d / (1.0 - rho).clip(lower=1e-9), 0)
    return only_where(~is_stable, maximum(shifted, saturated).to("s"))


@serving_column
def finite_run_tpot_mean_s(is_stable: Plain, burst_tpot_mean_s: UExpr) -> UExpr:
    """Mean time per output token over that run: the burst's (its schedule, module docstring); an
    upper bound where prefill keeps up with the arrivals (fewer sequences decode beside each
    prefill than in the burst)."""
    return only_where(~is_stable, burst_tpot_mean_s)
