"""Wall 7's burst closed form (pipeline.walls.burst) beside the discrete-event simulation of the
same policy with every request at t = 0 (pipeline.validation.simulate.burst), or its finite run
at a rate (pipeline.walls.finite_run) beside the simulation of those requests arriving as a
Poisson stream at the rate, for one serving configuration: both read the same compiled formulas
(the decode pass at any batch, the prefill pass of one iteration's chunk), so the comparison tests
the scheduling model alone."""

from __future__ import annotations

from functools import cache

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.studies.serving_burst import FINITE_ITERATIONS, FINITE_UNITS
from pipeline.units import unit
from pipeline.validation.serving_rows import FINITE_MEANS
from pipeline.validation.simulate import Replica, burst, simulate
from pipeline.walls import finite_run

BATCHES = ("burst_prefill_batch", "burst_ttft_batch", "burst_tpot_batch", "burst_last_batch")
MEANS = ("burst_ttft_mean_s", "burst_tpot_mean_s")
RUN = "burst_tokens_per_s"  # the whole run's output throughput, N G / makespan (a burst only)
STEPS = ("finite_run_batch", "finite_run_mean_field_tpot_s", "finite_run_prefill_batch")


def compare(axes: dict, framework: str, requests: int, catalogs: Catalogs, seed: int = 0,
            rate: float | None = None) -> dict:
    """The closed form's mean TTFT and TPOT for ``requests`` at t = 0 on one replica of the
    configuration (its ``batch`` axis is the batch cap), the simulation's, and the relative errors;
    with a ``rate`` (1/s, one replica), above or below wall 7's capacity, the finite run of ``requests``
    Poisson arrivals at it (pipeline.walls.finite_run) instead."""
    loaded = {} if rate is None else {"request_rate": [rate]}
    spec = parse_spec({"study": "serving", "axes": axes | loaded, "efficiency": {"framework": framework}},
                      "burst check")
    found = single.answer(spec, catalogs)
    if found is None or found.dropped is not None:
        raise InputError("burst check", [Problem(None, None, f"the configuration {axes} does not run")])
    values, units, registry = found.inputs[0], found.units, found.registry
    sized = formulas.compile_scalar(units, ["max_batch_paged", "generated_tokens"], registry)(values)
    cap = max(1.0, min(float(values["batch"]), sized["max_batch_paged"]))
    shape_units = units | {"burst_requests": unit(""), "load_batch_cap": unit("")}
    known = values | sized | {"burst_requests": float(requests), "load_batch_cap": cap}
    known |= formulas.compile_scalar(shape_units, BATCHES, registry)(known)
    decode = formulas.compile_scalar(units, ["decode_pass_time_s"], registry, rebind={"batch": "_b"})
    prefill = formulas.compile_scalar(units, ["prefill_pass_time_s"], registry, rebind={"batch": "_b"})

    def decode_pass_s(b: float) -> float:
        return decode(values | {"_b": float(b)})["decode_pass_time_s"]

    def prefill_pass_s(prompts: float) -> float:
        return prefill(values | {"_b": float(prompts)})["prefill_pass_time_s"]

    chunk = prefill_pass_s(known["burst_prefill_batch"])
    known |= {"burst_prefill_iteration_s": chunk, "burst_decode_ttft_s": decode_pass_s(known["burst_ttft_batch"]),
              "burst_decode_tpot_s": decode_pass_s(known["burst_tpot_batch"]),
              "burst_decode_last_s": decode_pass_s(known["burst_last_batch"])}
    mean_units = shape_units | {c: unit("") for c in BATCHES} | {c: unit("s") for c in (
        "burst_prefill_iteration_s", "burst_decode_ttft_s", "burst_decode_tpot_s", "burst_decode_last_s")}
    closed = formulas.compile_scalar(mean_units, [*MEANS, RUN], registry)(known)
    if rate is not None:  # the finite run: wall 7's stability and rate per replica beside the burst's means
        row = found.rows[0]
        known |= closed | {"is_stable": row["is_stable"], "request_rate_per_replica": rate / values["replicas"],
                           "finite_run_tpot_guess_s": closed["burst_tpot_mean_s"]}
        finite_units = mean_units | FINITE_UNITS | {c: unit("s") for c in MEANS} | {"is_stable": None}
        step = {c: formulas.compile_scalar(finite_units, [c], registry) for c in STEPS}
        passes = [prefill_pass_s(k) for k in range(1, finite_run.PROMPT_NODES + 1)]
        for k in range(FINITE_ITERATIONS):  # serving_burst.finite_inputs' fixed point, on plain values
            batch = step["finite_run_batch"](known)["finite_run_batch"]
            prompts = step["finite_run_prefill_batch"](known)["finite_run_prefill_batch"]
            known["finite_run_decode_pass_s"] = decode_pass_s(batch)
            at, low, high = finite_run.tail_prompts(prompts)
            tail = finite_run.tail_prompt_prefill(at, low, prefill_pass_s(low), prefill_pass_s(high))
            known["finite_run_prompt_prefill_s"] = finite_run.poisson_prompt_prefill(prompts, passes, tail)
            if k < FINITE_ITERATIONS - 1:
                known["finite_run_tpot_guess_s"] = min(closed["burst_tpot_mean_s"], step[STEPS[1]](known)[STEPS[1]])
        lam = known["request_rate_per_replica"]
        rho, g1 = finite_run.fluid_inputs(lam, known["finite_run_prompt_prefill_s"], known["generated_tokens"])
        known["finite_run_fluid_tpot_s"] = None if rho >= 1.0 else finite_run.fluid_tpot(
            float(requests), lam, g1, values.get("scheduler_overhead_per_iteration_s") or 0.0, rho, cap, passes, tail,
            lambda b, _: decode_pass_s(b), lambda value, _: value)
        finite = formulas.compile_scalar(finite_units, FINITE_MEANS, registry)(known)
        closed = dict(zip(MEANS, (finite[c] for c in FINITE_MEANS), strict=True))
    prompt, generated = int(values["prompt_len"]), int(known["generated_tokens"])
    budget = values.get("prefill_chunk_tokens")
    replica = Replica(decode_pass_s, chunk / (known["burst_prefill_batch"] * prompt),
                      values.get("scheduler_overhead_per_iteration_s") or 0.0, int(cap),
                      None if budget is None else float(budget), prompt, generated,
                      # a finite run's iterations carry from one prompt to a full chunk: each priced at its tokens
                      prefill_s=None if rate is None else cache(lambda tokens: prefill_pass_s(tokens / prompt)))
    simulated = burst(replica, requests, seed=seed) if rate is None else simulate(
        replica, rate / values["replicas"], requests=requests, warmup=0, seed=seed)
    out = {"requests": requests, "batch_cap": cap, "rate": rate}
    checked = [("burst_ttft_mean_s", simulated.ttft_mean_s), ("burst_tpot_mean_s", simulated.tpot_mean_s)]
    for column, des in checked + ([(RUN, simulated.tokens_per_s)] if rate is None else []):
        out |= {column: closed[column], f"des_{column}": des, f"error_{column}": closed[column] / des - 1.0}
    return out
