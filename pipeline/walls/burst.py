"""Wall 7 for a burst: N requests that all arrive at t = 0 (a benchmark at an unbounded request
rate, TensorRT-LLM's "QPS INF"), served by continuous batching as wall 7 schedules it (Yu et al.
2022, Orca: iteration-level scheduling; Agrawal et al. 2024, Sarathi-Serve §4: prefill chunks of
waiting requests fill the iteration's token budget beside one decode token per running sequence):
an iteration lasts a decode pass d(b) at the b sequences decoding, the scheduler's overhead o, and
tau_t per prefill token in it. A burst fills every iteration's budget, so tau_t is the prefill pass
of one iteration's chunk (q tokens: q / P prompts, at the GEMM efficiency of M = q rows, wall 2's
kernel model) over q, not one lone prompt's as under a light request rate;
a request is admitted while fewer than the batch cap B are in flight. P is the prompt tokens prefill
computes: the uncached ones under prefix caching (``pipeline.walls.prefix_cache``).

A fluid model of the iterations, over G - 1 decode iterations per request (G generated tokens):
- the budget T (max batched tokens) prefills q = min(T - b_fill, W P) prompt tokens per
  iteration beside b_fill decoding sequences (none without chunking: the wave's whole prompts);
- requests are prefilled in waves of W = min(N, B): a wave's prefill takes J = W P / q
  iterations; a request of the next wave is admitted when one of the wave before finishes, G
  iterations after its own first token, so waves repeat every G iterations and last
  Pi = G (d + o) + tau_t W P; where one wave's prefill outlasts its decode (J >= G - 1 with N > B)
  the budget, not the cap, sets the pace and the N requests form one wave (W = N);
- mean TTFT = Pi (N / W - 1) / 2 (the waves ahead, on average) + (J + max(1, P / q)) / 2
  iterations of the wave's own prefill, each d + o + tau_t q (a first token comes at the end of
  the iteration that finishes its prompt);
- mean TPOT over the requests = the decode-weighted mean iteration, sum_i C_i b_i / sum_i b_i
  (request k's (e2e - TTFT) / (G - 1) summed over k counts each iteration once per sequence
  decoding in it): d(b*) + o plus tau_t q for each of the J - 1 prefill iterations a request
  decodes beside (half of them in the last wave; with J - 1 > G - 1 its window holds
  G - 1 - (G - 1)^2 / (2 (J - 1))), over G - 1. The decoding count b(i) of one wave is a trapezoid
  (first tokens spread evenly over J - 1 iterations, each decoding G - 1 iterations), so with d
  linear in b (memory-bound decode) the weighted mean is d at b* = sum b^2 / sum b.
The discrete-event simulation (pipeline/validation/simulate.py, ``burst``) runs the same policy
token by token; tests/validation/test_burst.py compares the two.
"""

from __future__ import annotations

from pipeline.units import UExpr, maximum, minimum, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column


@serving_column
def burst_decode_iterations(generated_tokens: UExpr) -> UExpr:
    """G - 1, the decode iterations of one request (at least one)."""
    return ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=1)


def _per_iteration(wave: UExpr, single, load_batch_cap: UExpr, prefill_chunk_tokens: UExpr, prompt: UExpr,
                   g1: UExpr) -> UExpr:
    """q, the prompt tokens one iteration prefills for a wave of ``wave`` requests: the budget less the b_fill
    sequences decoding beside it (half the wave, one wave alone; else the cap's share still decoding; at most the
    plateau beside a budget-bound prefill), at most the wave's prompts; the wave's prompts without a budget."""
    budget = (prefill_chunk_tokens / TOKEN).to("")
    plateau = budget * g1 / (prompt + g1)
    decoding = minimum(where(single, wave / 2.0, load_batch_cap * g1 / (g1 + 1.0)), plateau)
    return where(prefill_chunk_tokens.is_null(), wave * prompt, minimum(budget - decoding, wave * prompt))


@serving_column
def burst_wave_requests(burst_requests: UExpr, load_batch_cap: UExpr, prefill_chunk_tokens: UExpr,
                        prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> UExpr:
    """W, the requests of one wave: min(N, B), or all N where one wave's prefill outlasts its decode (module
    docstring). Its own column: every burst column reads it (inline, it repeated the wave's arithmetic ~50 times
    in a loaded group's plan, 94 KB of expression in one column)."""
    n, cap, g1 = burst_requests, load_batch_cap, burst_decode_iterations
    prompt = (prefill_new_tokens / TOKEN).to("")
    first = minimum(n, cap)
    q = _per_iteration(first, n <= cap, cap, prefill_chunk_tokens, prompt, g1)
    return where((n > cap) & (first * prompt / q >= g1), n, first)


@serving_column
def burst_wave_chunk_tokens(burst_requests: UExpr, burst_wave_requests: UExpr, load_batch_cap: UExpr,
                            prefill_chunk_tokens: UExpr, prefill_new_tokens: UExpr,
                            burst_decode_iterations: UExpr) -> UExpr:
    """q, the prompt tokens prefilled per iteration of the burst's waves (module docstring)."""
    return _per_iteration(burst_wave_requests, burst_requests <= burst_wave_requests, load_batch_cap,
                          prefill_chunk_tokens, (prefill_new_tokens / TOKEN).to(""), burst_decode_iterations)


def _waves(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
           prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> dict:
    """The fluid model's wave: its size W, prompt tokens per iteration q, prefill iterations J."""
    n, wave, q = burst_requests, burst_wave_requests, burst_wave_chunk_tokens
    prompt = (prefill_new_tokens / TOKEN).to("")  # the prompt tokens prefill computes (prefix caching)
    return {"n": n, "g1": burst_decode_iterations, "prompt": prompt, "wave": wave, "single": n <= wave, "q": q,
            "j": wave * prompt / q}


@serving_column
def burst_prefill_batch(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                        prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> UExpr:
    """Prompts prefilled in one iteration of the burst, q / P (the prefill pass at this batch is one
    iteration's prefill chunk)."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    return w["q"] / w["prompt"]


@serving_column
def burst_ttft_batch(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                     prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> UExpr:
    """Sequences decoding during the prefill iterations before a first token, on average: one wave
    rising to W (to W (G - 1) / J when prefill outlasts decode) weighted by the requests still
    waiting, W (x - x^2 + x^3 / 3) with x = min(1, (G - 1) / J); later waves prefill beside
    ~W (G - 1) / G."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    x = minimum(w["g1"] / w["j"], 1.0)
    waves = w["n"] / w["wave"]
    steady = w["wave"] * w["g1"] / (w["g1"] + 1.0)
    one = w["wave"] * (x - x * x + x * x * x / 3.0)
    return where(w["single"], one, (one + (waves - 1.0) * steady) / waves).clip(lower=1)


@serving_column
def burst_tpot_batch(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                     prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> UExpr:
    """b* = sum b^2 / sum b over the decode iterations: one wave's trapezoid,
    W (a / (J - 1)) (1 - a / (3 c)) with a, c the smaller and larger of J - 1 and G - 1; waves in
    turn keep ~W (G - 1) / G decoding."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    spread, g1 = w["j"] - 1.0, w["g1"]
    larger = maximum(spread, g1)
    one = w["wave"] * (g1 / larger) * (1.0 - minimum(spread, g1) / larger / 3.0)
    return where(w["single"], one, w["wave"] * g1 / (g1 + 1.0)).clip(lower=1)


@serving_column
def burst_ttft_mean_s(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                      prefill_new_tokens: UExpr, burst_decode_iterations: UExpr, burst_prefill_iteration_s: UExpr,
                      scheduler_overhead_per_iteration_s: UExpr, burst_decode_ttft_s: UExpr,
                      burst_decode_tpot_s: UExpr) -> UExpr:
    """Mean time to first token over the N requests of a burst (module docstring)."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    o = scheduler_overhead_per_iteration_s.fill_null(0)
    period = (w["g1"] + 1.0) * (burst_decode_tpot_s + o) + burst_prefill_iteration_s * w["j"]
    iteration = burst_decode_ttft_s + o + burst_prefill_iteration_s
    own = (w["j"] + maximum(w["prompt"] / w["q"], 1.0)) / 2.0
    return (period * (w["n"] / w["wave"] - 1.0) / 2.0 + iteration * own).to("s")


@serving_column
def burst_tpot_mean_s(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                      prefill_new_tokens: UExpr, burst_decode_iterations: UExpr, burst_prefill_iteration_s: UExpr,
                      scheduler_overhead_per_iteration_s: UExpr, burst_decode_tpot_s: UExpr) -> UExpr:
    """Mean time per output token over the N requests of a burst (module docstring)."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    spread, g1 = w["j"] - 1.0, w["g1"]
    last = w["wave"] / w["n"]  # share of requests in the last wave (they see no next wave's prefill)
    beside = where(spread <= g1, spread * (1.0 - last / 2.0), g1 - g1 * g1 / (2.0 * spread))
    o = scheduler_overhead_per_iteration_s.fill_null(0)
    return (burst_decode_tpot_s + o + burst_prefill_iteration_s * beside / g1).to("s")


def _last_wave(w: dict) -> dict:
    """The burst's waves in whole numbers: k = ceil(N / W) of them, the last holding r = N - (k - 1) W requests."""
    waves = (w["n"] / w["wave"]).ceil()
    return {"waves": waves, "last": (w["n"] - (waves - 1.0) * w["wave"]).clip(lower=1)}


@serving_column
def burst_last_batch(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                     prefill_new_tokens: UExpr, burst_decode_iterations: UExpr) -> UExpr:
    """Sequences decoding in the burst's last wave, r = N - (ceil(N / W) - 1) W: a run of N requests ends with a
    partial wave (trtllm-bench's 3,000 requests at a cap of 2,048: one wave of 2,048, then 952)."""
    return _last_wave(_waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
                             burst_decode_iterations))["last"]


@serving_column
def burst_makespan_s(burst_requests: UExpr, burst_wave_requests: UExpr, burst_wave_chunk_tokens: UExpr,
                     prefill_new_tokens: UExpr, burst_decode_iterations: UExpr, burst_prefill_iteration_s: UExpr,
                     scheduler_overhead_per_iteration_s: UExpr, burst_decode_tpot_s: UExpr,
                     burst_decode_last_s: UExpr) -> UExpr:
    """From t = 0 to the last completion: k - 1 full waves of the period Pi = G (d + o) + tau_t W P (module
    docstring), then the last wave's r requests, G (d(r) + o) + tau_t r P (its prompts at the chunk's cost per
    token, its decode at r sequences). Whole waves, not the fluid N / W: where decode streams the weights
    (d(r) ~ d(W)), a partial last wave costs nearly a full one (Orca's iteration-level scheduling admits the next
    request only as one finishes, Yu et al. 2022 §3; trtllm-bench runs a fixed request count, perf-overview.md)."""
    w = _waves(burst_requests, burst_wave_requests, burst_wave_chunk_tokens, prefill_new_tokens,
               burst_decode_iterations)
    k = _last_wave(w)
    o = scheduler_overhead_per_iteration_s.fill_null(0)
    period = (w["g1"] + 1.0) * (burst_decode_tpot_s + o) + burst_prefill_iteration_s * w["j"]
    last = (w["g1"] + 1.0) * (burst_decode_last_s + o) + burst_prefill_iteration_s * k["last"] * w["prompt"] / w["q"]
    return ((k["waves"] - 1.0) * period + last).to("s")


@serving_column
def burst_tokens_per_s(burst_requests: UExpr, generated_tokens: UExpr, burst_makespan_s: UExpr) -> UExpr:
    """Generated tokens over the burst's makespan: what a benchmark that queues N requests at once reports as its
    output throughput (trtllm-bench throughput: 'Total Output Throughput (tokens/sec)')."""
    return (burst_requests * generated_tokens / burst_makespan_s).to("tok/s")
