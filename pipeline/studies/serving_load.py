"""Wall 7's inputs to the serving study (a request rate in the space): one request's prefill alone and
batched to the token budget (``load_prefill_batch``), the ITL at the largest batch and the batch in flight
from Little's law, by vectorized fixed-point steps, then under Poisson arrivals the birth-death chain's mean
(``pipeline.walls.poisson_batch``; ``under_load``), and the same on plain values for one configuration
(``under_load_values``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import polars as pl

from pipeline import formulas, scalar
from pipeline.studies.serving_precomputed import depends_on, rebindable
from pipeline.units import E, expression_library, unit
from pipeline.walls.batching import token_budget_sequences
from pipeline.walls.closed_loop import closed_loop_ttft, largest_cubic_root, unstaged
from pipeline.walls.poisson_batch import poisson_batch
from pipeline.walls.registries import SERVING
from pipeline.walls.tail_latency import full_replica_rate


def _formulas() -> dict:
    """The serving registry, read when called (every wall has registered its columns by then): one dict while the
    registries keep their sizes, so the caches keyed by a registry's identity (``depends_on``) find it again."""
    return _merged(len(formulas.REGISTRY), len(SERVING))


@cache
def _merged(*sizes: int) -> dict:
    return formulas.REGISTRY | SERVING


def _at_batch(frame: pl.LazyFrame, units: dict, output: str, batch_column: str, suffix: str) -> pl.LazyFrame:
    """Add ``<output><suffix>``: the same formulas with ``batch`` read from ``batch_column``."""
    registry = _formulas()
    return formulas.again(frame, rebindable(units, ["batch"], registry), [output], registry,
                          rebind={"batch": batch_column}, suffix=suffix).frame


def load_batch_cap(batch, max_batch_paged, budget_sequences=None):
    """The largest batch one replica runs under load: the batch axis, capped by the paged KV
    cache and by the sequences the token budget lets one iteration decode (``batching.token_budget_sequences``;
    null: no budget), at least 1 (expressions of the library in use, ``units.E``)."""
    cap = E.min_horizontal(batch.cast(E.Float64), max_batch_paged)
    if budget_sequences is not None:
        cap = E.min_horizontal(cap, budget_sequences.fill_null(cap))
    return cap.clip(lower_bound=1.0)


def next_load_batch(request_rate, replicas, generated_tokens, prefill_time_one_request_s, decode_pass_time_s,
                    cap):
    """One fixed-point step of the batch in flight, by Little's law: arrivals per replica x time
    in the system, where prefill of the arrivals stretches every iteration (decode pass and the
    scheduler's overhead, wall 7)."""
    lam = request_rate / replicas
    stretch = 1.0 - lam * prefill_time_one_request_s
    little = lam * generated_tokens * (decode_pass_time_s / stretch + tpot_clustering(
        lam * prefill_time_one_request_s, prefill_time_one_request_s, generated_tokens))
    return E.when(stretch > 0).then(little).otherwise(cap).clip(1.0, cap)


def tpot_clustering(rho, prefill_time_one_request_s, generated_tokens):
    """rho tau_p / ((1 - rho)^2 (G - 1)): what a request's mean time per output token adds to the
    mean iteration (derivation: wall 7's ``tpot_under_load_s``); plain numbers or expressions."""
    return rho * prefill_time_one_request_s / ((1.0 - rho) ** 2 * (generated_tokens - 1.0).clip(lower_bound=1.0))


LOAD_ITERATIONS = 6
KNEE_NODES = 6  # nodes a side of the first pass of ``poisson_batch``, whose mean only places the round's third price
LOAD_UNITS = {"prefill_time_one_request_s": unit("s"), "prefill_time_batched_s": unit("s"),
              "prefill_time_alone_s": unit("s"),
              "itl_at_batch_cap_s": unit("s"), "itl_at_load_s": unit("s"), "load_batch_cap": unit(""),
              "load_prefill_batch": unit(""), "load_batch": unit(""),
              "request_rate": unit("1/s")}  # a closed loop's is solved (``closed_loop_load``)


# On: at capacity arrivals queue and TensorRT-LLM's in-flight batching (vLLM's scheduler alike) fills each
# iteration's token budget with them. MLPerf's logs say the same: the TensorRT-LLM Llama 2 70B / Mixtral Server runs
# sustain 0.94-0.99 of the same system's Offline samples/s (H200 TP1 replicas: NVIDIA v4.1 CTS x1 14.53 / 15.41,
# x8 113.7 / 119.7, ASUSTeK v5.1 118.0 / 120.2, Cisco v5.1 228.3 / 235.7), which a prompt priced as a pass of its
# own cannot (wall 7's capacity then 0.89 of its own Offline); with the budget-filling price and the costs set by
# the Offline run, wall 7's TPOT on those rows is within 5 % (tests/validation/server_whatif.py). The finite runs of
# 500 requests that this capacity makes stable read the finite run where it is smaller (validation.predict).
# CHANGELOG.md, 2026-12-04, mlserver; off before it (2026-12-03, "batched-prefill capacity ... shipped off").
BATCH_QUEUED_PROMPTS = True


def capacity_prompt_price(prefill_pass_at_cap, cap):
    """A prompt's prefill at a replica's capacity: its share of the prefill of the cap's prompts, pass(b_cap) / b_cap,
    the price the Offline throughput gives it at the same batch (wall 4's ``pipeline_busy.batch_tokens_per_s``: b G
    over prefill(b) + (G - 1) rounds; ``ttft_s`` without PP). At saturation a Server replica runs the Offline steady
    state (a full batch, prompts admitted as sequences finish), so wall 7's capacity is that throughput over G: one
    price of the term, not a second one at the budget-filling chunk (registry_data/research/r-capsrv/README.md: that
    chunk put the capacity at 0.79-0.99 of the Offline formula on the same configuration, all of it this term)."""
    return prefill_pass_at_cap / cap


def load_prefill_batch(prefill_chunk_tokens, prefill_new_tokens, cap, batched: bool = True):
    """Prompts one iteration prefills together once arrivals queue: as many whole prompts as fill the
    framework's token budget per iteration, at least 1 (a longer prompt is chunked), at most the batch cap.
    TensorRT-LLM's in-flight batching runs context-phase sequences with generation ones in one pass and
    schedules context requests until max_num_tokens is spent (https://nvidia.github.io/TensorRT-LLM/performance/
    performance-tuning-guide/tuning-max-batch-size-and-max-num-tokens.html),
    vLLM's scheduler up to max_num_batched_tokens, "maximum number of tokens to be processed in a single
    iteration" (https://docs.vllm.ai/en/v0.10.2/api/vllm/config/scheduler.html); no budget (null): one prompt
    alone. First order: the decode tokens' share of the budget is left out. ``batched`` false: 1 (each prompt
    in a pass of its own, wall 7 as before; ``BATCH_QUEUED_PROMPTS``)."""
    whole = (prefill_chunk_tokens / prefill_new_tokens.clip(lower_bound=1.0)).floor()
    return E.min_horizontal(whole.fill_null(1.0), cap).clip(lower_bound=1.0, upper_bound=None if batched else 1.0)


def prompts_per_iteration(request_rate, replicas, prefill_time_one_request_s, decode_pass_time_s, chunk,
                          steps=1.0):
    """Prompts one iteration prefills together under load: those that arrived since the scheduler last admitted
    prompts, lambda x ``steps`` x E[C] with E[C] = d / (1 - lambda tau) (wall 7's mean iteration, d the decode pass
    and the scheduler's overhead), at least 1 (a lone prompt), at most the budget-filling ``chunk`` (all of it
    where lambda tau >= 1: arrivals queue). ``steps``: decode iterations per admission (``scheduler_steps``, 1
    unless the engine admits only between blocks of N): vLLM V0 with num_scheduler_steps N calls its scheduler
    only once a block's N steps are spent (vllm/engine/llm_engine.py L1340-1351, ``_has_remaining_steps``
    L1529-1547, ROCm/vllm@913dbc29, the branch AMD's MLPerf v5.1 harness builds), a prefill then runs one step
    (no lookahead slots without chunking, vllm/core/scheduler.py L1862-1876) of every waiting prompt that fits
    max_num_batched_tokens and max_num_seqs (``_schedule_prefills`` L1078-1172; ``_schedule_default`` L1256-1260
    runs no decode in that step). Over a block of N d + m tau, m = lambda (N d + m tau): lambda N d / (1 - lambda
    tau). ``finite_run_prefill_batch`` takes one iteration's (N = 1) for a finite run."""
    lam = request_rate / replicas
    stretch = 1.0 - lam * prefill_time_one_request_s
    arrived = E.when(stretch > 0).then(lam * steps * decode_pass_time_s / stretch).otherwise(chunk)
    return E.min_horizontal(arrived, chunk).clip(lower_bound=1.0)


def under_load(frame: pl.LazyFrame, units: dict, iterations: int, closed: bool = False) -> tuple[pl.LazyFrame, dict]:
    """Wall 7's inputs: one request's prefill, the ITL at the largest batch, and the batch in
    flight from Little's law by ``iterations`` vectorized fixed-point steps (no per-row Python); in a
    closed loop (``closed``: the concurrency axis) the request rate too (``closed_loop_load``)."""
    frame = frame.with_columns(_one=pl.lit(1.0))
    frame = _at_batch(frame, units, "prefill_pass_time_s", "_one", "__one")
    frame = formulas.plan(frame, units, ["max_batch_paged", "generated_tokens", "prefill_new_tokens",
                                         "prefill_stage_share", "attention_dp"], _formulas(), keep=True).frame
    cap = load_batch_cap(pl.col("batch"), pl.col("max_batch_paged"),
                         token_budget_sequences(pl.col("prefill_chunk_tokens"), pl.col("attention_dp")))
    frame = _at_batch(frame.with_columns(load_batch_cap=cap), units, "decode_pass_time_s", "load_batch_cap", "__cap")
    chunk = load_prefill_batch(pl.col("prefill_chunk_tokens"), pl.col("prefill_new_tokens"), pl.col("load_batch_cap"),
                               BATCH_QUEUED_PROMPTS)
    frame = _at_batch(frame.with_columns(load_prefill_batch=chunk), units, "prefill_pass_time_s", "load_batch_cap",
                      "__capfill")
    # one request's prefill at capacity: the Offline price at the cap (``capacity_prompt_price``)
    frame = frame.with_columns(prefill_time_batched_s=capacity_prompt_price(pl.col("prefill_pass_time_s__capfill"),
                                                                            pl.col("load_batch_cap")))
    if closed:
        return closed_loop_load(frame, units, iterations)
    # the fixed point of the batch in flight and of the prompts an iteration batches (a prompt's prefill: its
    # share of the pass of those prompts, a lone prompt's pass at light load; what it stretches an iteration by:
    # the busiest pipeline stage's share of that, wall 7's ``prefill_stage_time_s``)
    frame = frame.with_columns(load_batch_0=pl.lit(1.0), prompt_prefill_0=pl.col("prefill_pass_time_s__one"))
    for k in range(iterations):
        frame = _at_batch(frame, units, "decode_pass_time_s", f"load_batch_{k}", f"__it{k}")
        d = pl.col(f"decode_pass_time_s__it{k}") + pl.col("scheduler_overhead_per_iteration_s").fill_null(0.0)
        tau = pl.col(f"prompt_prefill_{k}") * pl.col("prefill_stage_share")
        nxt = next_load_batch(pl.col("request_rate"), pl.col("replicas"), pl.col("generated_tokens"), tau, d,
                              pl.col("load_batch_cap"))
        m = prompts_per_iteration(pl.col("request_rate"), pl.col("replicas"), tau, d, pl.col("load_prefill_batch"),
                                  pl.col("scheduler_steps"))
        frame = _at_batch(frame.with_columns(nxt.alias(f"load_batch_{k + 1}"), m.alias(f"prompts_{k}")), units,
                          "prefill_pass_time_s", f"prompts_{k}", f"__m{k}")
        frame = frame.with_columns((pl.col(f"prefill_pass_time_s__m{k}") / pl.col(f"prompts_{k}"))
                                   .alias(f"prompt_prefill_{k + 1}"))
    # the batch under Poisson arrivals: the birth-death chain's mean, its round affine through the batches priced
    # above (1, the fluid batch of the last step, the cap; ``pipeline.walls.poisson_batch``), then again with the
    # round priced at that mean too, where the chain lives (a third piece: r-knee/README.md); the queue in front of
    # the cap served at the replica's capacity (wall 7's ``capacity_requests_per_s``: r-srvload/README.md)
    last = iterations - 1
    overhead = pl.col("scheduler_overhead_per_iteration_s").fill_null(0.0)
    lam = pl.col("request_rate") / pl.col("replicas")
    chain = (lam, pl.col("generated_tokens"), lam * pl.col(f"prompt_prefill_{last}") * pl.col("prefill_stage_share"),
             pl.col("load_batch_cap"), pl.col(f"load_batch_{last}"), pl.col("decode_pass_time_s__it0") + overhead,
             pl.col(f"decode_pass_time_s__it{last}") + overhead, pl.col("decode_pass_time_s__cap") + overhead)
    full = full_replica_rate(pl.col("prefill_time_batched_s") * pl.col("prefill_stage_share"),
                             pl.col("generated_tokens"), pl.col("decode_pass_time_s__cap") + overhead,
                             pl.col("load_batch_cap"))
    staged = Staged(frame, "__poisson")
    first = poisson_batch(*chain, nodes=KNEE_NODES, stage=staged, capacity=full)
    frame = _at_batch(staged.frame.with_columns(load_batch_knee=first), units, "decode_pass_time_s",
                      "load_batch_knee", "__knee")
    staged = Staged(frame, "__poisson2")
    batch = poisson_batch(*chain, stage=staged, knee=pl.col("load_batch_knee"),
                          round_knee=pl.col("decode_pass_time_s__knee") + overhead, capacity=full)
    frame = _at_batch(staged.frame.with_columns(load_batch=batch), units, "decode_pass_time_s", "load_batch", "__load")
    frame = frame.with_columns(
        prefill_time_alone_s=pl.col("prefill_pass_time_s__one"),
        prefill_time_one_request_s=pl.col(f"prompt_prefill_{iterations}"),
        itl_at_batch_cap_s=pl.col("decode_pass_time_s__cap"),
        itl_at_load_s=pl.col("decode_pass_time_s__load"))
    return frame, units | LOAD_UNITS


def closed_loop_cycle(rate, users, generated_tokens, iteration_s, prompt_prefill_s, stage_share, chunks):
    """One closed-loop user's cycle R = TTFT + (G - 1) TPOT at X = ``rate`` requests/s per replica (expressions):
    wall 7's TPOT and ``closed_loop_ttft`` at the others' arrivals X (c - 1) / c; also rho and TPOT."""
    tau = prompt_prefill_s * stage_share
    rho = rate * (users - 1.0) / users * tau
    tpot = iteration_s / (1.0 - rho) + tpot_clustering(rho, tau, generated_tokens)
    ttft = closed_loop_ttft((users - 1.0).clip(0.0, 1.0), iteration_s, rho, prompt_prefill_s, chunks)
    return ttft + (generated_tokens - 1.0).clip(lower_bound=1.0) * tpot, rho, tpot


def closed_loop_rate(users, generated_tokens, iteration_s, prompt_prefill_s, stage_share, chunks, stage=unstaged):
    """The rate X (requests/s per replica) at which c = ``users`` users cycle, X R(X) = c with R
    ``closed_loop_cycle``'s, in closed form (expressions). In w = rho / (1 - rho), rho = X (c - 1) / c x tau
    (tau = tau_p x share), 1 / (1 - rho) = 1 + w and rho / (1 - rho)^2 = w (1 + w), so with b = min(c - 1, 1),
    g = max(G - 1, 1), n chunks and d the iteration, TTFT = b d (1 + w + n) + tau_p + n d w
    (``closed_loop_ttft``) and g TPOT = g d (1 + w) + tau w (1 + w) (wall 7's, ``tpot_clustering``):
    R = r0 + r1 w + tau w^2 with r0 = tau_p + (b + g + b n) d (R at rho = 0) and r1 = tau + (b + g + n) d.
    X = rho c / ((c - 1) tau) and rho = w / (1 + w) make X R = c the cubic tau w^3 + r1 w^2 + (r0 - k) w - k = 0,
    k = tau (c - 1): one sign change (Descartes' rule), so one positive root, the loop's (rho in [0, 1)). It is
    solved in y = 1 / w (k y^3 + (k - r0) y^2 - r1 y - tau = 0, its largest root), the well-conditioned form: at
    light load w's other two roots, summing to about -r1 / tau, dwarf w and cancel it, while y is the largest root
    in size; then one Newton step in w (X R = c to 1e-13 for prefills of 1 µs to 30 s, test_closed_loop.py)
    and X = c / R. No other user (k = 0): w = 0, X = c / r0. ``stage``: as ``largest_cubic_root``'s."""
    busy, g = (users - 1.0).clip(0.0, 1.0), (generated_tokens - 1.0).clip(lower_bound=1.0)
    tau = prompt_prefill_s * stage_share
    t = stage(tau=tau, r0=prompt_prefill_s + (busy + g + busy * chunks) * iteration_s,
              r1=tau + (busy + g + chunks) * iteration_s, k=tau * (users - 1.0))
    tau, r0, r1, k = t["tau"], t["r0"], t["r1"], t["k"]
    y = largest_cubic_root((k - r0) / k, -r1 / k, -tau / k, stage)
    w = stage(w=E.when(k > 0.0).then(1.0 / y).otherwise(0.0))["w"]
    w = w - (((tau * w + r1) * w + r0 - k) * w - k) / ((3.0 * tau * w + 2.0 * r1) * w + r0 - k)
    return users / (r0 + (r1 + tau * w) * w)


CLOSED_LOOP_INPUTS = ["closed_loop_users_per_replica", "prefill_chunk_iterations"]  # pipeline.walls.closed_loop


class Staged:
    """A ``stage`` for ``closed_loop_rate`` on a plan: each named expression becomes a column of ``frame`` (its name
    and ``suffix``), read back by name, so polars plans a term once however often it is read."""

    def __init__(self, frame: pl.LazyFrame, suffix: str) -> None:
        self.frame, self.suffix = frame, suffix

    def __call__(self, **named: pl.Expr) -> dict[str, pl.Expr]:
        self.frame = self.frame.with_columns(expr.alias(name + self.suffix) for name, expr in named.items())
        return {name: pl.col(name + self.suffix) for name in named}


def closed_loop_load(frame: pl.LazyFrame, units: dict, iterations: int) -> tuple[pl.LazyFrame, dict]:
    """Wall 7's inputs for c users per replica in a closed loop (``pipeline.walls.closed_loop``): the request
    rate X = c / R beside the batch in flight and the prompts' prefill price, by ``iterations`` vectorized steps
    from every user decoding. Each step solves X R(X) = c at that step's decode pass and prefill price in closed
    form (``closed_loop_rate``; R from ``closed_loop_cycle``), then takes the batch a request decodes in, itself
    and the others decoding, 1 + (c - 1) (G - 1) TPOT / R, and the prompts an iteration batches (wall 7's
    ``prompts_per_iteration``). The request rate column then holds X x replicas."""
    frame = formulas.plan(frame, units, CLOSED_LOOP_INPUTS, _formulas(), keep=True).frame
    c, g = pl.col("closed_loop_users_per_replica"), pl.col("generated_tokens")
    overhead = pl.col("scheduler_overhead_per_iteration_s").fill_null(0.0)
    frame = frame.with_columns(load_batch_0=pl.min_horizontal(c, pl.col("load_batch_cap")),
                               prompt_prefill_0=pl.col("prefill_pass_time_s__one"))
    for k in range(iterations):
        frame = _at_batch(frame, units, "decode_pass_time_s", f"load_batch_{k}", f"__it{k}")
        d = pl.col(f"decode_pass_time_s__it{k}") + overhead
        parts = (g, d, pl.col(f"prompt_prefill_{k}"), pl.col("prefill_stage_share"), pl.col("prefill_chunk_iterations"))
        tau = pl.col(f"prompt_prefill_{k}") * pl.col("prefill_stage_share")
        staged = Staged(frame, f"__closed{k}")
        rate = closed_loop_rate(c, *parts, staged)  # stages its terms on staged.frame
        frame = staged.frame.with_columns(rate.alias(f"users_rate_{k + 1}"))
        rate = pl.col(f"users_rate_{k + 1}")
        cycle, rho, tpot = closed_loop_cycle(rate, c, *parts)
        m = prompts_per_iteration(rate * (c - 1.0) / c, 1.0, tau, d, pl.col("load_prefill_batch"),
                                  pl.col("scheduler_steps"))
        frame = _at_batch(frame.with_columns(
            (1.0 + (c - 1.0) * (g - 1.0).clip(lower_bound=1.0) * tpot / cycle).clip(1.0, pl.col("load_batch_cap"))
            .alias(f"load_batch_{k + 1}"),
            m.alias(f"prompts_{k}")), units, "prefill_pass_time_s", f"prompts_{k}", f"__m{k}")
        frame = frame.with_columns((pl.col(f"prefill_pass_time_s__m{k}") / pl.col(f"prompts_{k}"))
                                   .alias(f"prompt_prefill_{k + 1}"))
    frame = _at_batch(frame, units, "decode_pass_time_s", f"load_batch_{iterations}", "__load")
    frame = frame.with_columns(
        request_rate=pl.col(f"users_rate_{iterations}") * pl.col("replicas"),
        prefill_time_alone_s=pl.col("prefill_pass_time_s__one"),
        prefill_time_one_request_s=pl.col(f"prompt_prefill_{iterations}"),
        itl_at_batch_cap_s=pl.col("decode_pass_time_s__cap"),
        itl_at_load_s=pl.col("decode_pass_time_s__load"),
        load_batch=pl.col(f"load_batch_{iterations}"))
    # the model-side columns computed from the axis' (null) request rate once per space, computed again
    registry = _formulas()
    stale = [name for name in depends_on(registry, {"request_rate"}) if name in units]
    if stale:
        frame = formulas.plan(frame, {name: u for name, u in units.items() if name not in stale}, stale, registry,
                              keep=True).frame
    return frame, units | LOAD_UNITS


def under_load_values(values: dict, units: dict, iterations: int = LOAD_ITERATIONS) -> dict:
    """``_under_load`` for one configuration: wall 7's input columns from the plan's input values
    (a dict), by the same formulas and fixed-point step on plain values."""
    at = {name: formulas.compile_scalar(units, [name], _formulas(), rebind={"batch": "_b"})
          for name in ("prefill_pass_time_s", "decode_pass_time_s")}
    sized = formulas.compile_scalar(units, ["max_batch_paged", "generated_tokens", "prefill_new_tokens",
                                            "prefill_stage_share", "attention_dp"], _formulas())(values)
    step = _load_step()
    alone = at["prefill_pass_time_s"](values | {"_b": 1.0})["prefill_pass_time_s"]
    budget = values.get("prefill_chunk_tokens")
    cap = step["cap"]({"batch": values["batch"], "max_batch_paged": sized["max_batch_paged"],
                       "budget": float("inf") if budget is None else budget, "groups": sized["attention_dp"]})["cap"]
    chunk = step["chunk"]({"budget": values.get("prefill_chunk_tokens"), "new": sized["prefill_new_tokens"],
                           "cap": cap})["chunk"]
    batched = capacity_prompt_price(at["prefill_pass_time_s"](values | {"_b": cap})["prefill_pass_time_s"], cap)

    def decode(batch):
        return at["decode_pass_time_s"](values | {"_b": batch})["decode_pass_time_s"]

    load, overhead, tau = 1.0, values.get("scheduler_overhead_per_iteration_s") or 0.0, alone
    rate, steps = values["request_rate"], values.get("scheduler_steps") or 1.0
    if values.get("concurrency") is not None:  # ``closed_loop_load`` on plain values
        closed = formulas.compile_scalar(units, CLOSED_LOOP_INPUTS, _formulas())(values)
        users = closed["closed_loop_users_per_replica"]
        load = min(users, cap)
        for _ in range(iterations):
            known = {"users": users, "g": sized["generated_tokens"], "d": decode(load) + overhead, "tau_p": tau,
                     "share": sized["prefill_stage_share"], "chunks": closed["prefill_chunk_iterations"]}
            solved = _closed_step()(known)
            rate, load = solved["rate"] * values["replicas"], min(max(1.0, solved["batch"]), cap)
            m = step["prompts"]({"request_rate": solved["rate"] * (users - 1.0) / users, "replicas": 1.0,
                                 "decode": known["d"], "prefill": tau * known["share"], "chunk": chunk,
                                 "steps": steps})["prompts"]
            tau = at["prefill_pass_time_s"](values | {"_b": m})["prefill_pass_time_s"] / m
    else:
        for _ in range(iterations):
            known = {"request_rate": rate, "replicas": values["replicas"],
                     "generated_tokens": sized["generated_tokens"], "prefill": tau * sized["prefill_stage_share"],
                     "decode": decode(load) + overhead,
                     "cap": cap, "chunk": chunk, "fluid": load, "steps": steps}
            load, m = step["next"](known)["next"], step["prompts"](known)["prompts"]
            tau = at["prefill_pass_time_s"](values | {"_b": m})["prefill_pass_time_s"] / m
        known |= {"one": decode(1.0) + overhead, "at_cap": decode(cap) + overhead, "batched": batched,
                  "share": sized["prefill_stage_share"]}
        knee = step["poisson_first"](known)["batch"]
        load = step["poisson_knee"](known | {"knee": knee, "at_knee": decode(knee) + overhead})["batch"]
    return {"prefill_time_one_request_s": tau, "prefill_time_alone_s": alone, "prefill_time_batched_s": batched,
            "itl_at_batch_cap_s": decode(cap), "request_rate": rate,
            "itl_at_load_s": decode(load), "load_batch_cap": cap, "load_prefill_batch": chunk, "load_batch": load}


@cache
def _closed_step() -> Callable[[dict], dict]:
    """``closed_loop_rate`` and the batch a request decodes in at that rate compiled once for plain values."""
    with expression_library(scalar):
        c = scalar.col
        parts = (c("g"), c("d"), c("tau_p"), c("share"), c("chunks"))
        rate = closed_loop_rate(c("users"), *parts)
        cycle, rho, tpot = closed_loop_cycle(rate, c("users"), *parts)
        batch = 1.0 + (c("users") - 1.0) * (c("g") - 1.0).clip(lower_bound=1.0) * tpot / cycle
        return scalar.compile_function({"rate": rate, "batch": batch})


@cache
def _load_step() -> dict:
    """``load_batch_cap`` and ``next_load_batch`` compiled once for plain values."""
    with expression_library(scalar):
        c = scalar.col
        lam = c("request_rate") / c("replicas")
        chain = (lam, c("generated_tokens"), lam * c("prefill"), c("cap"), c("fluid"), c("one"), c("decode"),
                 c("at_cap"))
        full = full_replica_rate(c("batched") * c("share"), c("generated_tokens"), c("at_cap"), c("cap"))
        cap = load_batch_cap(c("batch"), c("max_batch_paged"), token_budget_sequences(c("budget"), c("groups")))
        return {"cap": scalar.compile_function({"cap": cap}),
                "chunk": scalar.compile_function({"chunk": load_prefill_batch(c("budget"), c("new"), c("cap"),
                                                                             BATCH_QUEUED_PROMPTS)}),
                "next": scalar.compile_function({"next": next_load_batch(
                    c("request_rate"), c("replicas"), c("generated_tokens"), c("prefill"), c("decode"), c("cap"))}),
                "prompts": scalar.compile_function({"prompts": prompts_per_iteration(
                    c("request_rate"), c("replicas"), c("prefill"), c("decode"), c("chunk"), c("steps"))}),
                "poisson_first": scalar.compile_function({"batch": poisson_batch(*chain, nodes=KNEE_NODES,
                                                                                 capacity=full)}),
                "poisson_knee": scalar.compile_function({"batch": poisson_batch(*chain, knee=c("knee"), capacity=full,
                                                                                round_knee=c("at_knee"))})}
