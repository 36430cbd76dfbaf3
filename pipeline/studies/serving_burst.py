"""The serving study for a burst of requests at t = 0 (wall 7's burst, pipeline.walls.burst): the
serving study's columns plus the burst's mean TTFT and TPOT, from the same formulas (one request's
prefill, the decode pass at the burst's mean batches, the batch cap of wall 7).

The frame must hold a ``burst_requests`` column (requests at t = 0, or offered at the space's
request rate: pipeline.walls.finite_run; the measurement rows' ``requests``): ``build`` is for
spaces whose configurations carry it (pipeline.validation.predict).
"""

from __future__ import annotations

import polars as pl

from pipeline import formulas
from pipeline.studies import operations, serving
from pipeline.studies import serving_precomputed as precomputed
from pipeline.studies.sides import Space
from pipeline.units import unit
from pipeline.walls import finite_run

BURST = ["burst_requests", "burst_ttft_mean_s", "burst_tpot_mean_s", "burst_tokens_per_s"]
FINITE = ["finite_run_ttft_mean_s", "finite_run_tpot_mean_s"]  # under a request rate (pipeline.walls.finite_run)
INPUT_UNITS = {"burst_requests": unit(""), "load_batch_cap": unit("")}
WAVE = ["burst_decode_iterations", "burst_wave_requests", "burst_wave_chunk_tokens"]  # pipeline.walls.burst


def _at(frame: pl.LazyFrame, units: dict, output: str, rebind: dict | None = None, suffix: str = "") -> pl.LazyFrame:
    if suffix:  # a pass evaluated again at other columns: compiled once (formulas.again)
        return formulas.again(frame, units, [output], serving.FORMULAS, rebind=rebind, suffix=suffix).frame
    return formulas.plan(frame, units, [output], serving.FORMULAS, rebind=rebind, keep=True).frame


def burst_inputs(frame: pl.LazyFrame, units: dict) -> tuple[pl.LazyFrame, dict]:
    """The batch cap (the batch axis, capped by the paged KV cache, as wall 7's), the prefill pass of
    one iteration's chunk and the decode pass at the burst's two mean batches and at its last wave's:
    what pipeline.walls.burst reads."""
    units = units | INPUT_UNITS
    frame = _at(frame.with_columns(burst_requests=pl.col("burst_requests").cast(pl.Float64)), units,
                "max_batch_paged")
    frame = frame.with_columns(load_batch_cap=serving.load_batch_cap(pl.col("batch"), pl.col("max_batch_paged")))
    for shape in WAVE:  # read by every burst column: computed once, then read by name
        frame = _at(frame, units, shape)
        units |= {shape: unit("")}
    frame = _at(frame, units, "burst_prefill_batch")
    units |= {"burst_prefill_batch": unit("")}
    frame = _at(frame, units, "prefill_pass_time_s", {"batch": "burst_prefill_batch"}, "__burst")
    frame = frame.with_columns(burst_prefill_iteration_s=pl.col("prefill_pass_time_s__burst"))
    units |= {"burst_prefill_iteration_s": unit("s")}
    for which in ("ttft", "tpot", "last"):
        frame = _at(frame, units, f"burst_{which}_batch")
        units |= {f"burst_{which}_batch": unit("")}
        frame = _at(frame, units, "decode_pass_time_s", {"batch": f"burst_{which}_batch"}, f"__{which}")
        frame = frame.with_columns(pl.col(f"decode_pass_time_s__{which}").alias(f"burst_decode_{which}_s"))
        units |= {f"burst_decode_{which}_s": unit("s")}
    return frame, units


FINITE_ITERATIONS = 4
FINITE_UNITS = {"request_rate_per_replica": unit("1/s"), "finite_run_tpot_guess_s": unit("s"),
                "finite_run_decode_pass_s": unit("s"), "finite_run_prompt_prefill_s": unit("s"),
                "finite_run_fluid_tpot_s": unit("s")}


def _prefill_at(frame: pl.LazyFrame, units: dict, batches: list[str]) -> pl.LazyFrame:
    """The prefill pass at each of these prompt-count columns, as ``prefill_pass_time_s__<column>``."""
    for batch in batches:
        frame = _at(frame, units | {batch: unit("")}, "prefill_pass_time_s", {"batch": batch}, f"__{batch}")
    return frame


def finite_inputs(frame: pl.LazyFrame, units: dict, iterations: int = FINITE_ITERATIONS) -> tuple[pl.LazyFrame, dict]:
    """The finite run's mean field (pipeline.walls.finite_run): its decode-weighted batch from a TPOT
    (the burst's first, then the run's: the smaller of the burst's and the mean field's) by
    ``iterations`` vectorized fixed-point steps, the decode pass at the last batch and one prompt's
    prefill at the prompts an iteration carries: what ``finite_run_*_mean_s`` read."""
    frame = _at(frame, units, "request_rate_per_replica")
    frame = _at(frame, units | {"request_rate_per_replica": unit("1/s")}, "burst_tpot_mean_s")
    units = units | FINITE_UNITS | {"burst_tpot_mean_s": unit("s")}
    frame = frame.with_columns(finite_run_tpot_guess_s=pl.col("burst_tpot_mean_s"))
    whole = [f"finite_run_prompts_{n}" for n in range(1, finite_run.PROMPT_NODES + 1)]
    frame = _prefill_at(frame.with_columns(pl.lit(float(n)).alias(c) for n, c in enumerate(whole, start=1)),
                        units, whole)
    for k in range(iterations):
        frame = _at(frame, units, "finite_run_batch", suffix=f"__fr{k}")
        frame = _at(frame, units | {f"finite_run_batch__fr{k}": unit("")}, "decode_pass_time_s",
                    {"batch": f"finite_run_batch__fr{k}"}, f"__fr{k}")
        frame = _at(frame, units, "finite_run_prefill_batch", suffix=f"__fr{k}")
        prompts = pl.col(f"finite_run_prefill_batch__fr{k}")
        at, low, high = finite_run.tail_prompts(prompts)
        ends = [f"finite_run_low__fr{k}", f"finite_run_high__fr{k}"]
        frame = _prefill_at(frame.with_columns(low.alias(ends[0]), high.alias(ends[1])), units, ends)
        tail = finite_run.tail_prompt_prefill(at, low, pl.col(f"prefill_pass_time_s__finite_run_low__fr{k}"),
                                              pl.col(f"prefill_pass_time_s__finite_run_high__fr{k}"))
        passes = [pl.col(f"prefill_pass_time_s__{c}") for c in whole]
        frame = frame.with_columns(finite_run_decode_pass_s=pl.col(f"decode_pass_time_s__fr{k}"),
                                   finite_run_prompt_prefill_s=finite_run.poisson_prompt_prefill(prompts, passes, tail))
        if k < iterations - 1:
            frame = _at(frame, units, "finite_run_mean_field_tpot_s", suffix=f"__fr{k}")
            frame = frame.with_columns(finite_run_tpot_guess_s=pl.min_horizontal(
                "burst_tpot_mean_s", f"finite_run_mean_field_tpot_s__fr{k}"))
    return _fluid(frame, units, [pl.col(f"prefill_pass_time_s__{c}") for c in whole], tail), units


def _fluid(frame: pl.LazyFrame, units: dict, passes: list, tail: pl.Expr) -> pl.LazyFrame:
    """``finite_run_fluid_tpot_s`` (pipeline.walls.finite_run.fluid_tpot) on the fixed point's prompt price,
    the decode pass at each step's batch a column; null where rho >= 1."""
    held = {"frame": frame}

    def keep(value: pl.Expr | list, name: str) -> pl.Expr | list:
        values = value if isinstance(value, list) else [value]
        names = [f"finite_run_{name}" + (f"_{i}" if isinstance(value, list) else "") for i in range(len(values))]
        held["frame"] = held["frame"].with_columns(v.alias(n) for v, n in zip(values, names, strict=True))
        return [pl.col(n) for n in names] if isinstance(value, list) else pl.col(names[0])

    def decode_at(batch: pl.Expr, name: str) -> pl.Expr:
        column = keep(batch, f"batch_{name}").meta.output_name()
        held["frame"] = _at(held["frame"], units | {column: unit("")}, "decode_pass_time_s", {"batch": column},
                            f"__{column}")
        return pl.col(f"decode_pass_time_s__{column}")

    lam, requests = pl.col("request_rate_per_replica"), pl.col("burst_requests")
    rho, g1 = finite_run.fluid_inputs(lam, pl.col("finite_run_prompt_prefill_s"), pl.col("generated_tokens"))
    tpot = finite_run.fluid_tpot(requests, lam, g1, pl.col("scheduler_overhead_per_iteration_s").fill_null(0.0), rho,
                                 pl.col("load_batch_cap"), passes, tail, decode_at, keep)
    return held["frame"].with_columns(finite_run_fluid_tpot_s=pl.when(rho < 1.0).then(tpot))


def build(space: Space, hardware_side=None) -> formulas.Plan:
    """The serving study's columns and the burst's; under a request rate (a finite run of
    ``burst_requests`` offered at it) wall 7's load columns and the finite run's, else those null."""
    frame, units = serving.inputs(space, hardware_side)
    written = [*INPUT_UNITS, *FINITE_UNITS, *WAVE, "burst_prefill_batch", "burst_prefill_iteration_s"] + [
        f"burst_{which}_{what}" for which in ("ttft", "tpot", "last") for what in ("batch", "decode")]
    frame, units = precomputed.batch_free(frame, units, serving.FORMULAS, written)  # read by every pass of a burst
    frame, units = burst_inputs(frame, units)
    loaded = serving.is_under_load(space)
    if loaded:
        frame, units = finite_inputs(frame, units)
    off = ([] if loaded else serving.LOAD) + serving.speculative.not_applying(space.model_side)
    wanted = [c for c in serving.OUTPUTS if c not in off] + BURST + (FINITE if loaded else [])
    plan = operations.build(frame, units, serving.SCHEMA, serving.OPERATIONS, serving.FORMULAS, wanted,
                            operations.has_regions(space, hardware_side))
    return plan
