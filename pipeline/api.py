"""The Python API: one configuration (``evaluate``, ``evaluate_serving``, ``evaluate_training``,
``scorecard``), a whole sweep (``sweep``, ``run_sweep``) and named queries over a run (``query``).
``pipeline.evaluate`` and friends are these functions, imported on first use. The ``mlsys``
commands call them; they call the runs, studies and report layers below.

One configuration is answered from the catalog's sides, built once per process and spec
settings, and the study's formulas compiled to plain Python (``pipeline.studies.single``):
about a millisecond warm, the same row as a sweep. Overrides (``--set``), and what that path
does not cover (an unknown name, filters, distillation), go through the sweep path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

__all__ = ["evaluate", "evaluate_kernel", "evaluate_serving", "evaluate_training", "queries", "query", "run_sweep",
           "scorecard", "sweep"]

MICROBATCHES_PER_STAGE = 8  # default global batch: enough microbatches per stage to keep the 1F1B bubble small


def default_global_batch(dp: int, microbatch: int, pp: int) -> int:
    """Sequences per step when none is given: dp x microbatch x 8 x pp."""
    return dp * max(microbatch, 1) * MICROBATCHES_PER_STAGE * pp


def data_parallel(gpus: int | None, dp: int | None, tp: int, pp: int, cp: int) -> int:
    """Data-parallel ranks from ``dp`` or ``gpus`` (= dp x tp x pp x cp); both given must agree."""
    from pipeline.errors import InputError, Problem

    group = tp * pp * cp
    if group < 1:  # a bad tp, pp or cp: the spec's checks name it
        return 1 if dp is None else dp
    if dp is None:
        if gpus is None:
            return 1
        if gpus < 1:
            raise InputError("evaluate", [Problem(None, "gpus", f"got {gpus}, expected an integer > 0")])
        if gpus % group:
            raise InputError("evaluate", [Problem(None, "gpus", f"got {gpus}, expected a multiple of "
                                                                f"tp x pp x cp = {group}")])
        return gpus // group
    if gpus is not None and dp * group != gpus:
        raise InputError("evaluate", [Problem(None, "dp", f"dp x tp x pp x cp = {dp} x {tp} x {pp} x {cp} = "
                                                          f"{dp * group}, expected gpus = {gpus}")])
    return dp


def _spec(spec: str | Path | dict[str, Any] | None):
    from pipeline.spec import SweepSpec, load_spec, parse_spec

    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, dict):
        return parse_spec(spec, "sweep spec (dict)")
    return load_spec(spec)


def sweep(spec: str | Path | dict[str, Any] | None = None, registry: str | Path | None = None) -> pl.DataFrame:
    """Evaluate a sweep spec (TOML path, dict in the TOML's shape, or None for the default) in memory."""
    from pipeline import runs

    return runs.collect(runs.prepare(_spec(spec), registry))


def run_sweep(spec: str | Path | dict[str, Any] | None = None, out: str | Path | None = None,
              registry: str | Path | None = None, publish: bool = False) -> Path:
    """Stream a sweep to ``<out>/<run-id>/`` (Parquet, manifest, DuckDB) and return the run directory;
    ``publish``: then make it the current run of its study (``<out>/current``, as ``mlsys sweep`` does)."""
    from pipeline import runs

    return runs.run(runs.prepare(_spec(spec), registry), out, publish=publish)


def evaluate(model: str, hardware: str, batch: int = 1, compute_dtype: str = "fp16",
             seq_len: int = 2048, workload: str = "inference", step: str | None = None,
             efficiency: float | None = None, framework: str = "default",
             registry: str | Path | None = None, overrides: dict[str, str] | None = None) -> pl.DataFrame:
    """One configuration through the sweep's expressions: one row per step (``step`` picks one).

    Decoders at inference give a prefill row and a decode row (one token at context ``seq_len``).
    """
    import polars as pl

    from pipeline.errors import InputError, Problem

    spec = {"axes": {"model": [model], "hardware": [hardware], "batch": [batch],
                     "compute_dtype": [compute_dtype], "seq_len": [seq_len], "workload": [workload]},
            "efficiency": {"framework": framework} | ({} if efficiency is None else {"eta_compute": efficiency}),
            "overrides": dict(overrides or {})}
    frame = _one_configuration(_spec(spec), registry)
    if step is not None:
        steps = frame["step"].to_list()
        if step not in steps:
            raise InputError("evaluate", [Problem(None, "step", f"got {step!r}, expected one of {steps}")])
        frame = frame.filter(pl.col("step") == step)
    return frame


def evaluate_serving(model: str, hardware: str, batch: int = 1, tp: int = 1, pp: int = 1,
                     prompt_len: int = 2048, output_len: int = 256, precision: str | None = None,
                     compute_dtype: str = "fp16", weight_dtype: str | None = None, kv_dtype: str | None = None,
                     efficiency: float | None = None, framework: str = "default", weight_streaming: bool = False,
                     reasoning_tokens: int = 0, request_rate: float | None = None, replicas: int = 1,
                     prune_ratio: float = 0.0, dataset: str | None = None, spec_draft_tokens: int = 0,
                     spec_acceptance: float | None = None, draft_model: str | None = None,
                     prefix_hit_rate: float = 0.0, lora_rank: int = 0, lora_adapters: int = 1,
                     ep: int = 1, cluster: str | None = None, expert_imbalance: float | None = None,
                     breakdown: bool = True,
                     registry: str | Path | None = None,
                     overrides: dict[str, str] | None = None) -> pl.DataFrame:
    """One serving configuration (the serving study): TTFT, ITL, memory and, with ``breakdown``,
    FLOPs, bytes, time and bound of every operator in prefill and decode.

    ``precision`` sets compute, weight and KV dtypes at once; otherwise weights and KV
    default to ``compute_dtype``. ``request_rate`` (requests/s over ``replicas`` copies of the
    layout) adds wall 7's columns: batch in flight, P50/P99 TTFT, time per output token.
    ``dataset`` (a workloads catalog name) sets prompt_len and output_len to its mean lengths.
    ``spec_draft_tokens`` (k > 0) adds speculative decoding at per-token acceptance rate
    ``spec_acceptance`` with ``draft_model`` (None: MTP/EAGLE-style heads). ``prefix_hit_rate``
    (h in [0, 1)) is the share of each prompt already in the prefix cache: prefill computes the rest.
    ``lora_rank`` (r > 0) serves ``lora_adapters`` resident LoRA adapters of that rank.
    ``ep`` (> 1) shards a MoE model's routed experts over ep ranks per stage (attention in ep / tp
    data-parallel groups of tp); a layout beyond one scale-up domain runs on ``cluster`` (default:
    the accelerator's reference cluster, named in the ``cluster`` column); ``expert_imbalance`` is
    the busiest rank's max/mean expert load (default: serving.expert_imbalance's).
    """
    axes = {"model": [model], "hardware": [hardware], "batch": [batch], "tp": [tp], "pp": [pp],
            "prompt_len": [prompt_len], "output_len": [output_len], "reasoning_tokens": [reasoning_tokens],
            "replicas": [replicas], "prune_ratio": [prune_ratio], "prefix_hit_rate": [prefix_hit_rate],
            "lora_rank": [lora_rank], "lora_adapters": [lora_adapters], "ep": [ep]} | (
        {} if cluster is None else {"cluster": [cluster]}) | (
        {} if request_rate is None else {"request_rate": [request_rate]}) | {"spec_draft_tokens": [spec_draft_tokens]}
    axes |= ({} if spec_acceptance is None else {"spec_acceptance": [spec_acceptance]}) | (
        {} if draft_model is None else {"draft_model": [draft_model]})
    if dataset is not None:  # its means replace the lengths
        axes = {k: v for k, v in axes.items() if k not in ("prompt_len", "output_len")} | {"dataset": [dataset]}
    if precision is not None:
        axes["precision"] = [precision]
    else:
        axes |= {"compute_dtype": [compute_dtype], "weight_dtype": [weight_dtype or compute_dtype],
                 "kv_dtype": [kv_dtype or compute_dtype]}
    knobs = {"weight_streaming": weight_streaming} | ({} if expert_imbalance is None else
                                                      {"expert_imbalance": expert_imbalance})
    spec = {"study": "serving", "axes": axes, "serving": knobs,
            "efficiency": {"framework": framework} | ({} if efficiency is None else {"eta_compute": efficiency}),
            "overrides": dict(overrides or {})}
    return _one_configuration(_spec(spec), registry, breakdown)


def evaluate_training(model: str, cluster: str, gpus: int | None = None, dp: int | None = None, tp: int = 1,
                      pp: int = 1, cp: int = 1, ep: int = 1, microbatch: int = 1, global_batch: int | None = None,
                      seq_len: int = 2048, compute_dtype: str = "bf16", virtual_stages: int = 1, zero_stage: int = 1,
                      recompute: str = "selective", sequence_parallel: bool | None = None, lora_rank: int = 0,
                      efficiency: float | None = None, framework: str = "default",
                      training: dict[str, Any] | None = None, registry: str | Path | None = None,
                      overrides: dict[str, str] | None = None, compute_model: str | None = None) -> pl.DataFrame:
    """One training layout on a named cluster (the training study): memory per GPU, every
    step-time term, MFU/HFU, scaling efficiency and the run (time to train, failures, checkpoints).

    Give ``gpus`` or ``dp`` (or both, then dp x tp x pp x cp must equal gpus). ``global_batch``
    (sequences) defaults to 8 microbatches per pipeline stage: dp x microbatch x 8 x pp.
    ``sequence_parallel`` defaults to on when tp > 1. ``lora_rank`` > 0: LoRA adapters of that rank on a
    frozen base (``pipeline.walls.training_lora``). ``training``: the spec's [training] knobs.
    """
    dp = data_parallel(gpus, dp, tp, pp, cp)
    axes = {"model": [model], "cluster": [cluster], "dp": [dp], "tp": [tp], "pp": [pp], "cp": [cp], "ep": [ep],
            "microbatch": [microbatch], "seq_len": [seq_len], "compute_dtype": [compute_dtype],
            "virtual_stages": [virtual_stages], "zero_stage": [zero_stage], "recompute": [recompute],
            "global_batch": [global_batch if global_batch is not None else default_global_batch(dp, microbatch, pp)],
            "sequence_parallel": [tp > 1 if sequence_parallel is None else sequence_parallel], "lora_rank": [lora_rank]}
    spec = {"study": "training", "axes": axes, "training": dict(training or {}), "overrides": dict(overrides or {}),
            "efficiency": {"framework": framework} | ({} if efficiency is None else {"eta_compute": efficiency})
            | ({} if compute_model is None else {"compute_model": compute_model})}
    return _one_configuration(_spec(spec), registry)


def evaluate_kernel(op: str, hardware: str | None = None, cluster: str | None = None, dtype: str = "bf16",
                    framework: str = "default", workload: str = "inference", registry: str | Path | None = None,
                    **shape: float | bool) -> pl.DataFrame:
    """One kernel call alone (the kernel study, ``pipeline.studies.operator``): ``op`` "gemm"
    (shape m, n, k), "attention" (batch, heads, kv_heads, head_dim, q_len, kv_len, causal) or a
    collective "all_reduce", "all_gather", "reduce_scatter", "all_to_all" (message_bytes: nccl-tests'
    size, ranks) on ``hardware`` or over ``cluster``'s fabric, e.g.
    ``evaluate_kernel("gemm", "H100 SXM5 80GB", m=8192, n=8192, k=8192)``. One row: time, achieved
    FLOP/s or bus bandwidth, bound, efficiency_basis. A bad input raises ``InputError``."""
    import polars as pl

    from pipeline.catalogs.load import load_catalogs
    from pipeline.errors import InputError, Problem, UnknownNameError
    from pipeline.studies.operator import SHAPE, predict_operators

    catalogs = load_catalogs(registry)
    unknown = [k for k in shape if k not in (*SHAPE, "causal")]
    if unknown:
        raise InputError("kernel study", [Problem(None, k, f"not a kernel shape field ({', '.join(SHAPE)}, causal)")
                                          for k in unknown])
    names = [(c, v, catalogs.table(t)["name"].to_list()) for c, v, t in (("hardware", hardware, "hardware"),
                                                                        ("cluster", cluster, "clusters"))
             if v is not None and v not in catalogs.table(t)["name"].to_list()]
    if names:
        raise UnknownNameError("kernel study", names)
    frame = predict_operators(pl.DataFrame([{"op": op, "hardware": hardware, "cluster": cluster, "dtype": dtype,
                                             **shape}]), catalogs, framework, workload)
    reason = frame["reason"][0]
    if reason is not None:
        raise InputError("kernel study", [Problem(None, None, f"{op}: {reason}")])
    return frame.drop("reason")


def scorecard(study: str, target_fraction: float = 0.8, region: str | None = "United States",
              registry: str | Path | None = None, **configuration: Any) -> list[dict]:
    """All 22 walls of one configuration (see ``pipeline.report.scorecard``): each wall's number, name,
    domain, key figures with units, whether it binds and why. ``configuration``: the study's axes
    as single values, e.g. ``scorecard("serving", model="Llama 2 70B", hardware="H100 SXM5 80GB", tp=8)``."""
    from pipeline.report import scorecard as card

    return [w.as_dict() for w in card.scorecard(study, target_fraction, region, registry, **configuration)]


def _one_configuration(spec, registry, breakdown: bool = False) -> pl.DataFrame:
    """The rows of a one-configuration spec: from the catalog's sides and the scalar formulas
    (``pipeline.studies.single``), or, for what that does not cover (overrides, an unknown
    name), the sweep path. A configuration that gives no row was dropped: say why."""
    import polars as pl

    from pipeline.catalogs.load import load_catalogs
    from pipeline.errors import InputError, Problem
    from pipeline.studies import single

    if not spec.overrides:
        answer = single.answer(spec, load_catalogs(registry), breakdown)
        if answer is not None:
            if answer.dropped is not None:
                raise InputError("evaluate", [Problem(None, None, f"configuration dropped: {answer.dropped}")])
            return answer.frame()
    from pipeline import runs

    prepared = runs.prepare(spec, registry)
    frame = prepared.study.build(prepared.space, **({"breakdown": True} if breakdown else {})).frame.collect()
    if frame.height == 0:
        raise InputError("evaluate", [Problem(None, None, f"configuration dropped: {reason}")
                                      for reason in prepared.space.dropped] or [Problem(None, None, "no rows")])
    if spec.study == "node":  # in the order a request runs its steps, as the fast path gives them
        from pipeline.studies.node import STEPS

        order = {s: i for i, s in enumerate(dict.fromkeys(STEPS["step"].to_list()))}
        frame = frame.sort(pl.col("step").cast(pl.String).replace_strict(order, return_dtype=pl.Int32))
    return frame


def queries(folder: str | Path | None = None) -> dict[str, dict[str, str | None]]:
    """The named queries (``sql/*.sql``, or a query folder's) and their parameters (None: required)."""
    from pipeline.runs import database

    return {n: database.query_params(database.query_path(n, folder).read_text())
            for n in database.query_names(folder)}


def query(name: str, run: str | Path | None = None, out: str | Path = "outputs", queries: str | Path | None = None,
          **params: Any) -> pl.DataFrame:
    """Run ``sql/<name>.sql`` (or ``<queries>/<name>.sql``, a query folder the caller names) against a
    run (default: the newest complete run under ``out`` of the study the query reads)."""
    from pipeline.runs import database

    given = {k: str(v) for k, v in params.items()}
    return database.run_query(name, query_run(name, run, out, queries, **given), given, queries)


def query_run(name: str, run: str | Path | None = None, out: str | Path = "outputs",
              queries: str | Path | None = None, **params: Any) -> Path:
    """The run ``query`` reads: ``run`` (an id under ``out`` or a folder), else the newest complete run
    under ``out`` of the study the query reads."""
    from pipeline.runs import database

    given = {k: str(v) for k, v in params.items()}
    return database.resolve_run(run, out, database.query_reads(database.query_path(name, queries).read_text(), given))


def report_run(run: str | Path | None = None, out: str | Path = "outputs", models: list[str] | None = None,
               hardware: list[str] | None = None, to: str | Path | None = None) -> Path:
    """Write the charts of a run (default: the newest complete run under ``out``) as one self-contained
    HTML file with an SVG and a PNG per chart, into ``to`` (default ``<run>/report``); returns the folder.
    ``models`` (serving, training) and ``hardware`` (node roofline) choose the panels."""
    from pipeline.report import run_report
    from pipeline.runs import database

    run_dir = database.resolve_run(run, out)
    return run_report.write(run_report.build(run_dir, models, hardware), Path(to) if to else None)
