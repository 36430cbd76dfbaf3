"""A discrete-event check of the pipeline bubble (r-srvpart/README.md §3b) on the model's own costs, not fitted to any
row: one TensorRT-LLM replica of pp stages with pp micro-batches in flight, chunked context FCFS under a token budget,
and the scheduler rule of microBatchScheduler.cpp: a request in flight in one micro-batch is not scheduled into
another (``inflightReqIds``), decode tokens count against the budget first, then the oldest prompts' chunks.

Slots: in each slot every stage works on one micro-batch (stage s on the one formed s slots ago); a slot lasts as long
as its busiest stage. A micro-batch's time in one stage is d(b) / pp for its decode (d(b) the model's round: a
micro-batch of b / pp sequences through all layers) plus (chunk tokens) x tau / P / pp for its prefill (tau the
model's prefill of a P-token prompt). A sequence gets a token each time its micro-batch leaves the last stage, so with
no prefill its token period is pp slots = d(b): wall 7's round. Poisson arrivals, prompt lengths fixed at P (the
model's mean), G generated tokens each, a batch cap; TPOT per request = (last token - first token) / (G - 1), TTFT =
first token - arrival. Run by hand from the worktree root:
`.venv/bin/python registry_data/research/r-srvpart/pp_sim.py`.

Inputs (terms.py at the submitter's config, catalog eta): v5.0 B200 x8 405B at TP2 x PP2: lambda 0.65 / replica,
tau 1.078 s for P 9,429, d(1) 30.6 ms, d(37) 34.6 ms (d linear in b between them), G 656, cap 128, budget 1,024;
v5.0 GB200 x72: lambda 0.751, tau 0.991 s, d(1) 30.5, d(54) 36.4, G 658. Logs: TPOT 87.0 / 110.0 ms, TTFT P50 1,853 /
1,715 ms.
"""

from __future__ import annotations

import random
import statistics

RUNS = {  # name: lambda, tau s, P, d(1) s, (b2, d(b2) s), G, cap, budget, logged TPOT s, logged TTFT P50 s
    "v5.0 B200 x8 TP2 x PP2": (0.65, 1.078, 9429, 0.0306, (37.0, 0.0346), 656, 128, 1024, 0.0870, 1.853),
    "v5.0 GB200 x72 TP2 x PP2": (0.751, 0.991, 9429, 0.0305, (54.0, 0.0364), 658, 128, 1024, 0.1100, 1.715),
}


def simulate(lam, tau, prompt, d1, knee, generated, cap, budget, pp, requests=4000, warmup=800, seed=1):
    """Mean TPOT and P50 TTFT of ``requests`` Poisson arrivals (the first ``warmup`` dropped)."""
    rng = random.Random(seed)
    slope = (knee[1] - d1) / (knee[0] - 1.0)
    arrivals, t = [], 0.0
    for _ in range(requests):
        t += rng.expovariate(lam)
        arrivals.append(t)
    per_token = tau / prompt
    waiting = []  # request ids whose context is not done (FCFS)
    left, made, first, last = {}, {}, {}, {}
    decoding = set()
    pipe = [None] * pp  # the micro-batch each stage worked on in the last slot: (decode ids, {id: chunk tokens})
    now, nxt = 0.0, 0
    while len(last) < requests:
        while nxt < requests and arrivals[nxt] <= now:
            waiting.append(nxt)
            left[nxt] = prompt
            nxt += 1
        if not decoding and not waiting and all(m is None for m in pipe):
            now = arrivals[nxt]  # idle: jump to the next arrival
            continue
        # the micro-batches moving on to stages 1 .. pp - 1 stay in flight: their requests are not scheduled again
        busy = {i for m in pipe[:-1] if m is not None for i in (*m[0], *m[1])}
        ready = [i for i in sorted(decoding) if i not in busy]
        room = max(budget - len(ready), 0)  # decode tokens first
        chunks = {}
        for i in waiting:  # then the oldest prompts' chunks (FCFS)
            if room <= 0:
                break
            if i in busy or (i not in made and len(decoding) + len(chunks) >= cap):
                continue
            chunks[i] = min(room, left[i])
            room -= chunks[i]
        new = (ready, chunks) if ready or chunks else None
        current = [new, *pipe[:-1]]
        round_s = d1 + slope * max(len(decoding) - 1, 0)
        slot = max(((len(m[0]) > 0) * round_s + sum(m[1].values()) * per_token) / pp
                   for m in current if m is not None) if any(m is not None for m in current) else 0.0
        now += slot if slot > 0 else 1e-4
        pipe, done = current, current[-1]
        if done is None:
            continue
        for i in done[0]:
            made[i] += 1
            if made[i] >= generated:
                last[i] = now
                decoding.discard(i)
        for i, take in done[1].items():
            left[i] -= take
            if left[i] == 0:
                waiting.remove(i)
                first[i], made[i] = now, 1
                decoding.add(i)
    keep = range(warmup, requests)
    tpot = statistics.fmean((last[i] - first[i]) / (generated - 1) for i in keep)
    ttft = statistics.median(first[i] - arrivals[i] for i in keep)
    return tpot, ttft


def check() -> list[str]:
    lines = []
    for name, (lam, tau, prompt, d1, knee, g, cap, budget, tpot_log, ttft_log) in RUNS.items():
        for pp in (1, 2):
            tpot, ttft = simulate(lam, tau, prompt, d1, knee, g, cap, budget, pp)
            lines.append(f"{name}, pp {pp}: TPOT {tpot * 1e3:.1f} ms, TTFT P50 {ttft * 1e3:.0f} ms (log "
                         f"{tpot_log * 1e3:.1f} / {ttft_log * 1e3:.0f})")
    return lines


if __name__ == "__main__":
    print("\n".join(check()))
