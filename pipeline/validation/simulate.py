"""A discrete-event simulation of one serving replica under continuous batching (checks wall 7).

The policy is the one wall 7's closed form describes, as vLLM's and Sarathi-Serve's schedulers
run it (Yu et al. 2022, Orca, OSDI: iteration-level scheduling; Agrawal et al. 2024,
Sarathi-Serve, OSDI §4: chunked prefill with a token budget; vLLM docs, "Chunked prefill":
decode requests are scheduled first, then prefill chunks fill ``max_num_batched_tokens``):

- requests arrive as a Poisson stream at ``request_rate`` (per replica) and queue FCFS; at an
  unbounded rate (``math.inf``, ``burst``) all of them arrive at t = 0 (wall 7's burst); in a closed loop
  (``closed_loop``) ``concurrency`` users each send a request, wait for its last token and send the next
  (zero think time), which reaches the server ``client_delay_s`` later, after the scheduler has started the
  next iteration; the first ones spread over about one cycle (a benchmark's ramp; started at t = 0 with
  equal lengths the users would stay in lock-step);
- at each iteration a waiting request is admitted while fewer than ``batch_cap`` sequences
  are in flight (KV capacity / max sequences);
- an iteration decodes one token for every running sequence and adds prefill tokens of
  admitted requests, oldest first, up to the budget ``max_batched_tokens`` minus the decode
  tokens (one per running sequence); a prompt longer than what is left is split in chunks;
- an iteration lasts decode_pass(b) + scheduler overhead + (prefill time per prompt token) x
  (prefill tokens in it): the decode pass comes from the serving formulas at batch b (the
  scalar path, ``formulas.compile_scalar``), the prefill cost is one request's prefill pass
  (the formulas at batch 1) spread evenly over its prompt tokens, as wall 7 takes it, or, given
  ``Replica.prefill_s``, the prefill pass of the iteration's tokens (burst_check's finite run);
- a request's first token comes at the end of the iteration that finishes its prefill; it
  then decodes its other G - 1 tokens, one per iteration;
- a pipeline-parallel replica (``Replica.stage_share`` < 1, wall 7's ``prefill_stage_share``) is the
  same loop of rounds: a round is the decode pass (one micro-batch through every stage) and the busiest
  stage's share of the prefill in it, since the stages work on the round's prompts at once; a prompt's
  own first token leaves the last stage the rest of its traversal, (1 - share) x its last chunk's
  prefill, after the round ends, and its later tokens keep that lag (its completion is stamped so).

SimPy (https://simpy.readthedocs.io) runs the clock: an arrival process and a replica process.
Outputs over the requests after a warm-up: P50, P99 and mean TTFT, mean, P50 and P99 TPOT ((e2e - TTFT) / (G - 1))
and throughput (completed requests/s and generated tokens/s); under Poisson arrivals the time average of the
sequences admitted (wall 7's batch in flight, E[min(k, cap)] of ``poisson_batch``). Seeded and deterministic.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from pipeline import formulas
from pipeline.errors import InputError, Problem


@dataclass(frozen=True)
class Replica:
    """What one replica's scheduler needs: the cost of an iteration and the policy's limits."""
    decode_pass_s: Callable[[int], float]  # one decode pass at b running sequences (b >= 1)
    prefill_s_per_token: float  # one request's prefill pass / its prompt tokens
    overhead_s: float  # scheduler overhead per iteration
    batch_cap: int  # sequences in flight at most
    max_batched_tokens: float | None  # token budget per iteration (None: no chunking)
    prompt_len: int
    generated_tokens: int
    prompt_std: float = 0.0  # a dataset's spread of prompt tokens (0: fixed lengths)
    output_std: float = 0.0
    prefill_s: Callable[[int], float] | None = None  # an iteration's prefill of that many tokens (None: per token)
    stage_share: float = 1.0  # the busiest pipeline stage's share of a prefill (1: no pipeline parallelism)


@dataclass
class Outcome:
    ttft_p50_s: float
    ttft_p99_s: float
    ttft_mean_s: float
    tpot_mean_s: float
    requests_per_s: float
    tokens_per_s: float
    completed: int
    ttfts: list[float] = field(default_factory=list, repr=False)
    tpot_p50_s: float = math.nan  # of the requests' own TPOTs
    tpot_p99_s: float = math.nan
    batch_mean: float = math.nan  # time average of the sequences admitted (prefilling or decoding), after the warm-up


def replica_from_values(values: dict, units: dict, registry: dict, batched_prefill: bool = False) -> Replica:
    """A replica from one serving configuration's input values (``single.answer(...).inputs[0]``,
    with wall 7's inputs): the decode pass at any batch from the same compiled formulas; each
    iteration's prefill priced per prompt token as wall 7's latencies take it, or, ``batched_prefill``,
    as the prefill pass of that iteration's tokens (the prompts batched, as wall 7's capacity takes them)."""
    decode = formulas.compile_scalar(units, ["decode_pass_time_s"], registry, rebind={"batch": "_b"})
    prefill = formulas.compile_scalar(units, ["prefill_pass_time_s"], registry, rebind={"batch": "_b"})
    memo: dict[int, float] = {}
    prefills: dict[int, float] = {}

    def decode_pass_s(b: int) -> float:
        if b not in memo:
            memo[b] = decode(values | {"_b": float(b)})["decode_pass_time_s"]
        return memo[b]

    prompt = int(values["prompt_len"])

    def prefill_s(tokens: int) -> float:  # an iteration's prompts batched in one prefill pass (wall 7's capacity)
        if tokens not in prefills:
            prefills[tokens] = prefill(values | {"_b": tokens / prompt})["prefill_pass_time_s"]
        return prefills[tokens]

    generated = int(values["output_len"] + (values.get("reasoning_tokens") or 0))
    budget = values.get("prefill_chunk_tokens")
    share = formulas.compile_scalar(units, ["prefill_stage_share"], registry)(values)["prefill_stage_share"]
    return Replica(decode_pass_s, values["prefill_time_one_request_s"] / prompt,
                   values.get("scheduler_overhead_per_iteration_s") or 0.0, max(1, int(values["load_batch_cap"])),
                   None if budget is None else float(budget), prompt, generated,
                   float(values.get("input_tokens_std") or 0.0), float(values.get("output_tokens_std") or 0.0),
                   prefill_s=prefill_s if batched_prefill else None, stage_share=share)


def _draw(rng: random.Random, mean: int, std: float) -> int:
    """A length: fixed, or gamma-distributed with the dataset's mean and spread (at least 1 token)."""
    if std <= 0:
        return mean
    shape = (mean / std) ** 2
    return max(1, round(rng.gammavariate(shape, mean / shape)))


class _Request:
    __slots__ = ("arrival", "decode_left", "first", "generated", "lag", "prefill_left")

    def __init__(self, arrival: float, prompt: int, generated: int):
        self.arrival, self.first, self.generated, self.lag = arrival, None, generated, 0.0
        self.prefill_left, self.decode_left = prompt, generated - 1


def simulate(replica: Replica, request_rate: float, requests: int = 2000, warmup: int = 200,
             seed: int = 0, concurrency: int | None = None, client_delay_s: float = 0.0) -> Outcome:
    """Run ``requests`` Poisson arrivals at ``request_rate`` (1/s; ``math.inf``: all at t = 0) through
    one replica; the first ``warmup`` are left out of the statistics (the queue starts empty). With
    ``concurrency`` users in a closed loop instead, ``request_rate`` is only their ramp: user k sends its first
    request at an exponential spacing of mean 1 / request_rate after user k - 1; each next request arrives
    ``client_delay_s`` after the answer before it ends."""
    if not request_rate > 0 or requests <= warmup:
        raise InputError("simulation", [Problem(None, "request_rate", "needs request_rate > 0 and requests > "
                                                                     "warmup")])
    rng = random.Random(seed)
    env = simpy.Environment()
    waiting: deque[_Request] = deque()
    done: list[_Request] = []
    wake = [env.event()]
    sent = [0]

    def send():
        waiting.append(_Request(env.now, _draw(rng, replica.prompt_len, replica.prompt_std),
                                max(2, _draw(rng, replica.generated_tokens, replica.output_std))))
        if not wake[0].triggered:
            wake[0].succeed()

    def send_later():
        yield env.timeout(client_delay_s)
        send()

    def arrivals():  # a burst queues every request before the replica's first iteration
        for _ in range(requests if concurrency is None else min(concurrency, requests)):
            if not math.isinf(request_rate):
                yield env.timeout(rng.expovariate(request_rate))
            sent[0] += 1
            send()
        area[3] = env.now

    # sequences admitted x time and time, from the warm-up's arrivals to the last arrival (no drain), idle time too
    area = [0.0, 0.0, math.inf, math.inf]

    def account(admitted: int, start: float):
        if start >= area[2] and env.now <= area[3]:
            area[0] += admitted * (env.now - start)
            area[1] += env.now - start

    def fast_forward(running):
        """Decode-only iterations back to back (the same iterations, run as one timeout): up to the
        first completion, or to the end of the iteration during which a request arrives."""
        step = replica.decode_pass_s(len(running)) + replica.overhead_s
        k = min(r.decode_left for r in running)
        start, wake[0] = env.now, env.event()
        yield env.any_of([env.timeout(k * step), wake[0]])
        if env.now - start < k * step:  # an arrival: finish the iteration under way
            k = min(k, math.floor((env.now - start) / step) + 1)
            yield env.timeout(start + k * step - env.now)
        account(len(running), start)
        for r in running:
            r.decode_left -= k

    def prefill_of(tokens: int) -> float:  # a prefill of that many tokens (Replica.prefill_s, else per token)
        return replica.prefill_s_per_token * tokens if replica.prefill_s is None else replica.prefill_s(tokens)

    def retire(running):
        """The sequences still decoding; those done are stamped and recorded."""
        kept = []
        for r in running:
            if r.decode_left > 0:
                kept.append(r)
            else:
                r.decode_left = env.now + r.lag  # reused: the completion time (at the last stage)
                done.append(r)
                if concurrency is not None and sent[0] < requests:  # its user sends the next request
                    sent[0] += 1
                    env.process(send_later())
        return kept

    def server():
        prefilling: list[_Request] = []  # admitted, prompt not finished (FCFS)
        running: list[_Request] = []  # decoding
        while len(done) < requests:
            while waiting and len(prefilling) + len(running) < replica.batch_cap:
                prefilling.append(waiting.popleft())
            if not prefilling and not running:
                wake[0], start = env.event(), env.now
                yield wake[0]
                account(0, start)
                continue
            if not prefilling and not waiting:  # decode only until a completion or an arrival
                yield from fast_forward(running)
                running = retire(running)
                continue
            budget = math.inf if replica.max_batched_tokens is None else replica.max_batched_tokens - len(running)
            chunks = []
            for r in prefilling:
                if budget <= 0:
                    break
                take = min(r.prefill_left, budget)
                chunks.append((r, take))
                budget -= take
            tokens = sum(t for _, t in chunks)
            b = len(running)
            prefill = prefill_of(tokens) if tokens else 0.0
            duration = (replica.decode_pass_s(b) if b else 0.0) + replica.overhead_s + prefill * replica.stage_share
            start = env.now
            yield env.timeout(duration)
            account(len(running) + len(prefilling), start)
            for r in running:
                r.decode_left -= 1
            running = retire(running)
            for r, take in chunks:
                r.prefill_left -= take
                if r.prefill_left <= 0:  # the rest of its last chunk's way through the stages (0 without PP)
                    r.lag = (1.0 - replica.stage_share) * prefill_of(take)
                    r.first = env.now + r.lag
                    running.append(r)
            prefilling = [r for r in prefilling if r.prefill_left > 0]

    if concurrency is None and not math.isinf(request_rate):
        area[2] = warmup / request_rate  # about when the warm-up's arrivals are in
    env.process(arrivals())
    env.process(server())
    env.run()
    kept = sorted(done, key=lambda r: r.arrival)[warmup:]
    ttfts = sorted(r.first - r.arrival for r in kept)
    tpots = [(r.decode_left - r.first) / (r.generated - 1) for r in kept]
    span = max(r.decode_left for r in kept) - kept[0].arrival
    return Outcome(_quantile(ttfts, 0.5), _quantile(ttfts, 0.99), sum(ttfts) / len(ttfts), sum(tpots) / len(tpots),
                   len(kept) / span, sum(r.generated for r in kept) / span, len(kept), ttfts,
                   _quantile(sorted(tpots), 0.5), _quantile(sorted(tpots), 0.99),
                   area[0] / area[1] if area[1] > 0 else math.nan)


def burst(replica: Replica, requests: int, seed: int = 0) -> Outcome:
    """``requests`` requests all at t = 0 (a benchmark at an unbounded rate), every one counted."""
    return simulate(replica, math.inf, requests=requests, warmup=0, seed=seed)


def _quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, linear between order statistics (numpy's default)."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


CLIENT_DELAY_S = 1e-4  # from an answer's last token to the server receiving the next request (HTTP, tokenizer)


def closed_loop(replica: Replica, concurrency: int, requests: int = 4000, warmup: int = 800,
                seed: int = 0, client_delay_s: float = CLIENT_DELAY_S) -> Outcome:
    """``concurrency`` users in a closed loop (``simulate``), their first requests spread over about one
    cycle (a user's prefill and G decode passes at the full batch), so the users are not in lock-step."""
    cycle = replica.prefill_s_per_token * replica.prompt_len + replica.generated_tokens * (
        replica.decode_pass_s(concurrency) + replica.overhead_s)
    return simulate(replica, concurrency / cycle, requests=requests, warmup=warmup, seed=seed,
                    concurrency=concurrency, client_delay_s=client_delay_s)
