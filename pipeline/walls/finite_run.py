"""Wall 7 for a finite run: N requests offered at a rate lambda (per replica), as a serving benchmark runs a fixed
number of requests (TensorRT-LLM's perf-overview: "500 requests" at QPS 2 ... 32 and INF). Above capacity (wall 7's
``is_stable`` false) the steady state does not exist: over a finite run nothing grows without bound, the backlog
builds while the requests arrive, then drains. Below it the run starts empty and may end before the steady state
builds up; the means here are defined for both (the validation reads the smaller of them and wall 7's steady state
for a stable run: ``pipeline.validation.predict``).

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
prefill rate, decode the bottleneck: the batch grows instead of the queue) the shift undercounts:

- TTFT is what an arrival meets in a replica that never idles, wall 7's iteration carrying prefill
  (``tail_latency._ttft_quantile`` with idle share 0), d + tau + (1/2 + rho) E[C]: an iteration
  carrying m prompts lasts d + a + m tau (d the decode pass at the run's weighted batch plus the
  scheduler's overhead, a the fixed part of a prefill pass, a lone prompt's cost less tau, the
  prompt's share of a full chunk), so with m = lambda C, E[C] = (d + a) / (1 - rho), rho = lambda
  tau, at most a full budget's iteration. The run's mean TTFT is the larger of the two regimes';
- TPOT is a mean field over the run (``finite_run_mean_field_tpot_s``: the sequences decoding rise,
  hold and fall as the arrivals come, each decoding for (G - 1) TPOT; prompts priced at the whole
  prompts an iteration carries, Poisson with mean ``finite_run_prefill_batch``, ``poisson_prompt_prefill``;
  the study iterates the weighted batch from the burst's TPOT), which prices the prompts; the TPOT itself
  is time-resolved where rho < 1 (``fluid_tpot``: the batch follows the decode pass step by step, so it
  can rise through the arrivals: just above capacity with long answers, where lambda (G - 1) d(b) /
  (1 - rho) exceeds b at every b to the cap, no plateau holds and the trapezoid's one TPOT was 10-12 % low
  against the simulation; the fluid -1.5 and +6.7 %, tests/validation/test_finite_run.py), else the mean
  field's. The run's TPOT is the smaller of it and the burst's.

The discrete-event simulation of the same policy runs the finite run (pipeline/validation/
burst_check.py, ``compare`` with a rate; each iteration's prefill priced at its tokens).
"""

from __future__ import annotations

import math

from pipeline.units import UExpr, maximum, minimum, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column


def _run(burst_requests: UExpr, request_rate_per_replica: UExpr, generated_tokens: UExpr,
         finite_run_tpot_guess_s: UExpr) -> dict:
    """The fluid run's shape: G - 1 decode iterations per request, the decode residence R = (G - 1) x
    TPOT, the arrival span A = N / lambda, a and c the smaller and larger of R and A."""
    g1 = ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=1)
    residence = (g1 * finite_run_tpot_guess_s).to("s")
    span = (burst_requests / request_rate_per_replica).to("s")
    a, c = minimum(residence, span), maximum(residence, span)
    return {"g1": g1, "x": (a / span).to(""), "a_over_c": (a / c).to("")}


@serving_column
def finite_run_batch(burst_requests: UExpr, request_rate_per_replica: UExpr, generated_tokens: UExpr,
                     finite_run_tpot_guess_s: UExpr) -> UExpr:
    """Where prefill keeps up with the arrivals, each request decodes for R = (G - 1) TPOT after it
    arrives, so the sequences decoding rise as lambda t, stay at lambda min(R, A) and fall (a
    trapezoid, fluid); the decode-weighted batch sum b^2 / sum b = N (a / A) (1 - a / (3 c)) (the
    trapezoid of ``burst.burst_tpot_batch``)."""
    run = _run(burst_requests, request_rate_per_replica, generated_tokens, finite_run_tpot_guess_s)
    return (burst_requests * run["x"] * (1.0 - run["a_over_c"] / 3.0)).clip(lower=1)


@serving_column
def finite_run_prefill_batch(request_rate_per_replica: UExpr, finite_run_tpot_guess_s: UExpr,
                             burst_prefill_batch: UExpr) -> UExpr:
    """Prompts one iteration prefills where prefill keeps up with the arrivals: those that arrived
    during the iteration before, lambda x the mean iteration (the run's TPOT), at least one and at
    most the burst's budget-filling chunk; one prompt's prefill is then the prefill pass at this
    batch over it (``finite_run_prompt_prefill_s``, pipeline.studies.serving_burst): a lone prompt's
    GEMMs of M = P rows run below a full chunk's efficiency (wall 2's kernel model)."""
    return minimum((request_rate_per_replica * finite_run_tpot_guess_s).to("").clip(lower=1), burst_prefill_batch)


@serving_column
def finite_run_mean_field_tpot_s(finite_run_decode_pass_s: UExpr, scheduler_overhead_per_iteration_s: UExpr,
                                 finite_run_prompt_prefill_s: UExpr, burst_requests: UExpr,
                                 request_rate_per_replica: UExpr, generated_tokens: UExpr) -> UExpr:
    """Mean TPOT where prefill keeps up with the arrivals: sum_i C_i b_i / (N (G - 1)) over the
    iterations, D = the decode pass at the run's weighted batch (``finite_run_batch``) plus the
    scheduler's overhead, and each prompt's prefill tau counted once per sequence decoding beside
    it, lambda min(t, R) at its arrival t, N x (1 - x / 2) on average, x = min(R, A) / A. With
    R = (G - 1) T and rho = lambda tau: T = D + rho T (1 - (G - 1) T / (2 A)) while R <= A, the root
    T = 2 D / ((1 - rho) + sqrt((1 - rho)^2 + 2 rho (G - 1) D / A)) (-> D / (1 - rho), wall 7's mean
    iteration, for a long run); beyond it (every request still decoding when the last arrives)
    T = D + tau N / (2 (G - 1)); the two meet at R = A."""
    g1 = ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=1)
    prompt = finite_run_prompt_prefill_s
    lam = request_rate_per_replica
    rho = (lam * prompt).to("")
    span = (burst_requests / lam).to("s")
    d = (finite_run_decode_pass_s + scheduler_overhead_per_iteration_s.fill_null(0)).to("s")
    spread = (2.0 * rho * g1 * d / span).to("")
    root = 2.0 * d / ((1.0 - rho) + ((1.0 - rho) * (1.0 - rho) + spread).sqrt())
    overlapping = d + prompt * burst_requests / (2.0 * g1)
    return where(g1 * root <= span, root, overlapping).to("s")


@serving_column
def finite_run_ttft_mean_s(burst_ttft_mean_s: UExpr, burst_requests: UExpr,
                           request_rate_per_replica: UExpr, burst_prefill_iteration_s: UExpr,
                           burst_prefill_batch: UExpr, prefill_time_alone_s: UExpr,
                           finite_run_decode_pass_s: UExpr, scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """Mean time to first token over a finite run of N requests (module docstring): the burst's, less
    the mean arrival time (N - 1) / (2 lambda), at least an arrival's wait in a replica that never
    idles (an upper bound where it does idle, at light load). An iteration carrying m prompts lasts
    d + a + m tau (a prefill pass is a fixed part a, one lone prompt's prefill (``prefill_time_alone_s``) less
    its share tau of a full chunk, and tau per prompt), so with m = lambda C: E[C] = (d + a) / (1 - rho),
    rho = lambda tau, at most a full budget's iteration."""
    lam = request_rate_per_replica
    shifted = burst_ttft_mean_s - (burst_requests - 1.0) / (2.0 * lam)
    prompt = burst_prefill_iteration_s / burst_prefill_batch  # one prompt's share of a full chunk
    rho = (lam * prompt).to("")
    o = scheduler_overhead_per_iteration_s.fill_null(0)
    d = finite_run_decode_pass_s + o + maximum(prefill_time_alone_s - prompt, 0)
    full = finite_run_decode_pass_s + o + burst_prefill_iteration_s
    mean = minimum(d / (1.0 - rho).clip(lower=1e-9), full)
    saturated = where(rho < 1.0, d + prompt + (0.5 + rho) * mean, 0)
    return maximum(shifted, saturated).to("s")


@serving_column
def finite_run_tpot_mean_s(burst_tpot_mean_s: UExpr, finite_run_mean_field_tpot_s: UExpr,
                           finite_run_fluid_tpot_s: UExpr) -> UExpr:
    """Mean time per output token over that run: the burst's where the arrivals outpace its intake
    (its schedule, module docstring), where prefill keeps up the time-resolved fluid's (``fluid_tpot``: fewer
    sequences decode beside each prefill and at once than in the burst; null where rho >= 1, then the mean
    field's): the smaller."""
    return minimum(burst_tpot_mean_s, finite_run_fluid_tpot_s.fill_null(finite_run_mean_field_tpot_s))


def _positive(x, least: float):
    return x.clip(lower_bound=least) if hasattr(x, "clip") else max(x, least)


PROMPT_NODES = 8  # whole prompts an iteration's prefill is priced at, k = 1..K; beyond K at the tail's cost per prompt


def poisson_prompt_prefill(prompts, passes: list, tail):
    """One prompt's prefill where each iteration carries a whole number of prompts, k ~ Poisson(m) (the
    arrivals of one iteration, m = ``finite_run_prefill_batch``): E[P(k)] / m, P(k) the prefill pass of k
    prompts (``passes[k - 1]``, k = 1..K), P(0) = 0 (an iteration no prompt arrived in carries none), and
    ``tail`` seconds per prompt beyond K (``tail_prompt_prefill``). Works on floats and polars expressions
    alike. Pricing m prompts as one pass of a fractional batch would read the GEMM kernel model at M = m P
    rows, a shape no iteration runs, where its tile quantization swings a prompt's cost by up to 20 %
    between m and m + 1/8 (H100, Llama 3 8B bf16, P = 467: 13.7 ms at m = 1, 16.8 ms at 1.125); the
    simulation (pipeline/validation/simulate.py) prices each iteration at its whole prompts."""
    return arrival_prefill(prompts, passes, tail)[0] / prompts


def poisson_weights(prompts, nodes: int = PROMPT_NODES) -> list:
    """w_k = e^-m m^k / k! for k = 0..nodes (each from the one before)."""
    weights = [(-prompts).exp() if hasattr(prompts, "exp") else math.exp(-prompts)]
    for k in range(1, nodes + 1):
        weights.append(weights[-1] * prompts / k)
    return weights


def arrival_prefill(prompts, passes: list, tail, weights: list | None = None) -> tuple:
    """Q(m) = E[P(k)], the prefill seconds of an iteration carrying k ~ Poisson(m) whole prompts (as
    ``poisson_prompt_prefill``: ``passes[k - 1]`` for k = 1..K, ``tail`` seconds a prompt beyond), and dQ/dm
    (d/dm e^-m m^k / k! = w_(k-1) - w_k: sum_(j<K) w_j (P(j+1) - P(j)) - w_K P(K) + tail (1 - sum_(j<K) w_j
    + K w_K)), from the ``poisson_weights`` (given: stored columns, a smaller expression). Floats and polars
    expressions alike."""
    weights = weights or poisson_weights(prompts, len(passes))
    weight = weights[0]
    total, carried, slope, below = 0.0, 0.0, weight * passes[0], weight
    for k, cost in enumerate(passes, start=1):
        weight = weights[k]
        total, carried = total + weight * cost, carried + weight * k
        if k < len(passes):
            slope, below = slope + weight * (passes[k] - cost), below + weight
    top = len(passes)
    return (total + tail * _positive(prompts - carried, 0.0),
            slope - weight * passes[-1] + tail * (1.0 - below + top * weight))


def tail_prompts(prompts):
    """Where the tail's prompts are priced: at m prompts, at least K; its floor and the next whole count."""
    at = _positive(prompts, float(PROMPT_NODES))
    low = at.floor() if hasattr(at, "floor") else float(math.floor(at))
    return at, low, low + 1.0


def tail_prompt_prefill(at, low, low_pass, high_pass):
    """A prompt's share of the prefill pass at ``at`` prompts (at least K), linear between the passes of the
    whole counts either side (``tail_prompts``): a share continuous in m, read at whole prompts only."""
    return (low_pass + (at - low) * (high_pass - low_pass)) / at


FLUID_STEPS, DRAIN_STEPS, NEWTON_STEPS = 12, 2, 1  # time steps over the arrivals, iteration steps over the drain


def _between(x, least, most):
    if hasattr(x, "clip"):
        return x.clip(lower_bound=least, upper_bound=most)
    return min(max(x, least), most)


def finished_arrivals(counts: list, step, target):
    """s* with I(s*) = target, I the iterations done by each time step (``counts[j]`` at j x ``step``, rising),
    linear between the steps: the sum of each step's share before the target, step x clip((target - I_j) /
    (I_(j+1) - I_j), 0, 1); 0 for a target at or below 0. A bounded sum, no search."""
    total = 0.0
    for low, high in zip(counts, counts[1:], strict=False):
        total = total + step * _between((target - low) / (high - low), 0.0, 1.0)
    return total


def iteration_s(decode_s, rate, passes: list, tail, guess, keep=None, name: str = "iteration"):
    """The iteration while requests arrive at ``rate``: C = d + Q(rate C), its decode pass and the prefill of
    the prompts that arrived during one iteration (``arrival_prefill``), by NEWTON_STEPS Newton steps from
    ``guess``, each stored by ``keep`` (``fluid_tpot``); at least d."""
    keep = keep or (lambda value, _: value)
    c = guess
    for n in range(NEWTON_STEPS):
        weights = keep(poisson_weights(rate * c, len(passes)), f"{name}_{n}_w")
        q, slope = arrival_prefill(rate * c, passes, tail, weights)
        c = keep(_positive(c - (c - decode_s - q) / _positive(1.0 - rate * slope, 1e-6), 0.0), f"{name}_{n}")
    return c


def fluid_inputs(rate, prompt_prefill_s, generated_tokens) -> tuple:
    """``fluid_tpot``'s rho (the arrivals' prefill load, rate x a prompt's price; the fluid holds where rho < 1)
    and G - 1 (at least one iteration). Floats and polars expressions alike."""
    return rate * prompt_prefill_s, _positive(generated_tokens - 1.0, 1.0)


def fluid_tpot(requests, rate, g1, overhead_s, rho, cap, passes: list, tail, decode_at, keep):
    """Mean TPOT of the finite run, time-resolved (fluid, Newell 1982 ch. 2, as the module's trapezoid but with the
    batch following the decode pass): requests arrive at ``rate`` over A = N / rate, each decodes from its arrival
    for G - 1 iterations, so the batch b(t) = rate (min(t, A) - s*(t)), s* the arrival that has had G - 1
    iterations, I(t) - I(s*) = G - 1, I' = 1 / C(b), C the iteration while requests arrive (``iteration_s`` at
    d(b), Newton from d / (1 - rho), rho < 1; the guess's rho capped at 0.95) and d(b) once they stopped; d read
    at a batch of at most the cap. Little over the run: TPOT = integral of b dt / (N (G - 1)). FLUID_STEPS steps of
    A / FLUID_STEPS (the decode pass at the step's mid batch, extrapolated, trapezoid area), then the drain in
    DRAIN_STEPS steps of (G - 1) / DRAIN_STEPS iterations (the batch at iteration I(A) + u is rate (A - s*) with
    I(s*) = I(A) - (G - 1) + u, its time d(b) per iteration). ``decode_at(batch, name)`` is the decode pass at a
    batch and ``keep(value, name)`` stores a value or a list of them (columns for polars, the values themselves
    for floats): the study and the scalar check share this one implementation."""
    span = requests / rate
    step = span / FLUID_STEPS
    counts, batches, area = [0.0], [0.0], 0.0
    for j in range(FLUID_STEPS):
        mid = rate * step / 2.0 if j == 0 else batches[j] + (batches[j] - batches[j - 1]) / 2.0
        d = decode_at(_between(mid, 1.0, cap), f"fluid{j}") + overhead_s
        c = iteration_s(d, rate, passes, tail, d / (1.0 - _between(rho, 0.0, 0.95)), keep, f"iteration{j}")
        counts.append(keep(counts[j] + step / c, f"count{j + 1}"))
        batches.append(keep(rate * ((j + 1) * step - finished_arrivals(counts, step, counts[-1] - g1)), f"b{j + 1}"))
        area = area + step * (batches[j] + batches[j + 1]) / 2.0
    for n in range(DRAIN_STEPS):
        u = (n + 0.5) * g1 / DRAIN_STEPS
        b = keep(rate * (span - finished_arrivals(counts, step, counts[-1] - g1 + u)), f"drain{n}")
        area = area + b * (decode_at(_between(b, 1.0, cap), f"drain{n}") + overhead_s) * g1 / DRAIN_STEPS
    return area / (requests * g1)
