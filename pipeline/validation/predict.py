"""Measurement rows predicted through the same studies and walls as a sweep.

Each row defines a configuration of its study (``measurement_spec``). The rows of one study and framework are
predicted together: one space is built from a spec whose axes cover all of them, restricted to the rows' own
configurations (never the product of their axes), and every hardware row is evaluated at every compute efficiency
η of a grid plus its profile's η and range ends (``eta_grid``: η / η_profile multiplies every kernel's speed).
One collect then gives, per row, the prediction at the profile's η, the prediction band (the ends of the range)
and the prediction at each η of the grid (for calibration); each row's batch is picked by a join, not a loop.
Rows that cannot be predicted keep the reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import polars as pl

from pipeline.catalogs import overrides
from pipeline.catalogs.decode_kernel_schema import DECODE_KERNEL_COLUMNS
from pipeline.catalogs.expert_schema import EXPERT_COLUMNS
from pipeline.catalogs.kernel_schema import TRAINING_RUN_COLUMNS
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.quantization_schema import QUANTIZATION_COLUMNS
from pipeline.catalogs.scheduler_schema import SCHEDULER_COLUMNS
from pipeline.catalogs.speculative_schema import SPECULATIVE_COLUMNS
from pipeline.errors import InputError
from pipeline.runs import STUDIES
from pipeline.studies import serving_burst
from pipeline.studies.sides import Space
from pipeline.validation.eta_grid import ETA_GRID, at_each_eta
from pipeline.validation.grouping import group_key
from pipeline.validation.kernel_rows import predict_kernel_rows
from pipeline.validation.picking import (  # noqa: F401  (re-exported: accuracy, tests)
    NO_FIT, NO_FIT_AT_PROFILE, OVER_CAPACITY, OVER_CAPACITY_AT_PROFILE, OVER_PREFILL, OVER_PREFILL_AT_PROFILE,
    THROUGHPUT, columns_read, picked,
)
from pipeline.validation.row_context import fold_stated_lengths
from pipeline.validation.shared_space import build_shared, group_spec, tag_frameworks
from pipeline.validation.serving_rows import SERVING_BATCHES, Datasets, admitted, serving_spec
from pipeline.validation.training_context import fold_training
from pipeline.validation.training_spec import training_spec
from pipeline.validation.trtllm_bench import runs_trtllm_bench, runs_untuned, untuned_models

NODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
# Node-study training rows whose runs shard the optimizer over a node's GPUs: MLPerf BERT's implementations (NVIDIA's,
# which the other submitters run) pass --distributed_lamb to apex's DistributedFusedLAMB, dwu_group_size 0 = "one
# node" (mlcommons/training_results_v4.0 NVIDIA/benchmarks/bert/implementations/eos_n434_ngc23.09_pytorch/
# run_and_time.sh, run_pretraining.py); MLPerf ResNet-50 (MXNet SGDwFASTLARSV2 after a Horovod all-reduce) does not.
SHARDED_OPTIMIZER_MODELS = {"BERT-Large"}
SPEC_INPUTS = ["study", "scenario", "metric", "framework", "model", "hardware", "cluster", "compute_dtype",
               "weight_dtype", "batch", "seq_len", "devices", "tp", "pp", "dp", "microbatch", "recompute", "prompt_len",
               "output_len", "cp", "ep", "trained", "zero_stage", "virtual_stages", "sequence_parallel", "kv_cache",
               "dataset", "statistic", "concurrency", "request_rate", "requests", "attention_kernel",
               *TRAINING_RUN_COLUMNS, *SPECULATIVE_COLUMNS,
               *EXPERT_COLUMNS, *DECODE_KERNEL_COLUMNS,
               *SCHEDULER_COLUMNS, *QUANTIZATION_COLUMNS]  # the measurement columns measurement_spec reads
SCHEMA = {"name": pl.String, "predicted": pl.Float64, "predicted_low": pl.Float64, "predicted_high": pl.Float64,
          "eta_compute": pl.Float64, "eta_low": pl.Float64, "eta_high": pl.Float64, "bound": pl.String,
          "batch_used": pl.Float64, "grid": pl.List(pl.Float64), "reason": pl.String, "family": pl.String}
REASON = {"measurement": pl.UInt32, "reason": pl.String}
# A serving group not under a request rate evaluating more (configuration, η) rows than this first finds those that
# run (``admitted``: memory columns only, cheap) and evaluates everything else on them alone. Measured alternately in
# one process (CPU s, same predictions): the catalog's 462 offline TensorRT-LLM burst rows, 680,256 rows of which
# 399,456 fit, 6.1 instead of 9.0-9.4; 94 burst rows of the 250 `mlsys bench --validate` draws, 86,130 rows, 2.0-2.1
# instead of 2.6-2.9; 30 serving rows 0.84-0.85 instead of 0.90-0.95. Under a request rate the second plan repeats
# wall 7's fixed point and costs more than it saves (33 rows: 2.5-2.7 against 1.7-1.9), and so for node rows (112:
# 1.1 against 0.3); a training group gains nothing (32 rows: 1.1 either way): they collect once.
STAGE_ABOVE = 20_000
# A group's one collect of at most this many (configuration, η) rows runs on polars' in-memory engine: a plan of
# thousands of columns over a few thousand rows costs less run whole than in the streaming engine's morsels (the 250
# rows of `mlsys bench --validate`, its 11 groups one at a time, alternated in one process: 5.71 -> 4.90 CPU s, values
# within 4.1e-16). Larger collects stream, their memory bounded (the catalog's rows under a request rate).
IN_MEMORY_ROWS = 20_000
GROUP_THREADS = 2  # the groups predicted at once (predict)


def measurement_spec(r: dict, datasets: Datasets | None = None) -> tuple[dict | None, str | None]:
    """The one-configuration spec that predicts measurement ``r`` (None and why when it cannot);
    ``datasets`` resolves a serving row's dataset (``serving_rows``)."""
    lora = r["trained"] == "lora"  # LoRA is a layout of the training study: its samples/s too (global batch / step)
    study, framework = "training" if lora else r["study"], {"framework": r["framework"]}
    if r.get("attention_kernel") is not None:  # the fused attention kernel the run's framework calls
        framework["attention_kernel"] = r["attention_kernel"]
    if r["model"] is None:
        return None, f"{study} rows need a model"
    batches = [r["batch"]] if r["batch"] is not None else None
    if study == "node":
        # a training row's samples/s is data-parallel training: each device runs the train step
        # (forward, backward, update) on its share of the global batch, never a forward pass
        training = r["scenario"] == "training"
        if training and batches is not None:
            if r["batch"] % r["devices"]:
                return None, f"global batch {r['batch']} is not a multiple of devices {r['devices']}"
            batches = [r["batch"] // r["devices"]]
        spec = {"axes": {"model": [r["model"]], "hardware": [r["hardware"]], "compute_dtype": [r["compute_dtype"]],
                         "batch": batches or NODE_BATCHES, "seq_len": [r["seq_len"] or 2048],
                         "workload": ["training" if training else "inference"]}, "efficiency": framework}
        if training and (r["devices"] or 1) > 1:  # the gradient all-reduce over the row's devices and cluster
            spec["data"] = {"devices": r["devices"], "cluster": r.get("cluster"),
                            "optimizer_sharded": r["model"] in SHARDED_OPTIMIZER_MODELS}
        return spec, None
    if study == "serving":
        return serving_spec(r, datasets)
    return training_spec(r, framework, lora)


@dataclass
class MeasuredSpace(Space):
    """A space restricted to listed configurations: each one's hardware row joined with its own
    model-side rows, so rows of many measurements are evaluated without their axes' product."""
    configurations: pl.DataFrame | None = None  # one row per configuration: the spec's axes as columns

    def frame(self, hardware_side: pl.DataFrame | None = None) -> pl.LazyFrame:
        hw = self.hardware_side if hardware_side is None else hardware_side
        keys = self.configurations.lazy()
        on_hw = [c for c in self.configurations.columns if c in hw.columns]
        on_model = [c for c in self.configurations.columns if c in self.model_side.columns and c not in on_hw]
        joined = (keys.join(hw.lazy(), on=on_hw, nulls_equal=True)
                  .join(self.model_side.lazy(), on=[*on_model, "workload"], nulls_equal=True))
        return joined if self.row_filter is None else joined.filter(self.row_filter)


def _configurations(members: list[int], specs: list[dict]) -> pl.DataFrame:
    """Each spec's configurations (the product of its axes), one row each, with its measurement."""
    frame = pl.DataFrame([{"measurement": i, **s["axes"]} for i, s in zip(members, specs, strict=True)]) \
        .with_columns(pl.col("measurement").cast(pl.UInt32))
    zipped = [c for c in ("tp", "replicas") if c in specs[0]["axes"]]  # an unstated tp: its replicas with it
    for column in specs[0]["axes"]:  # every axis holds one value but the batch and tp grids
        if column not in zipped:
            frame = frame.explode(column)
    return frame.explode(zipped) if zipped else frame


def run_context(spec: dict, r: dict, models: dict[str, tuple[int | None, str | None]]) -> dict:
    """``spec`` with the context the run was built for, where the row states more tokens than the
    model's catalogued ``max_context_tokens`` (the length it was pre-trained at) and the model has
    no learned position table. Rotary embeddings (Su et al. 2021, arXiv:2104.09864 §3.4) rotate
    each query and key by its position, with no parameter per position, so nothing bounds the
    length a run can use: fine-tuning past the pre-training context is how it is extended (Chen et
    al. 2023, arXiv:2306.15595, Llama 2048 -> 32768 tokens; MLPerf's llama2_70b_lora trains Llama 2
    70B, pre-trained at 4,096, at 8,192), and engines are built for the lengths they are given
    (TensorRT-LLM's GPT-J 6B runs at 2,048 + 128). A learned table (GPT-2, GPT-3, BERT) holds
    exactly max_context_tokens positions: such a row keeps the context refusal."""
    tokens = r["seq_len"] if spec.get("study") != "serving" else (r["prompt_len"] or 0) + (r["output_len"] or 0)
    context, position = models.get(r["model"], (None, None))
    if tokens is None or context is None or position in (None, "learned") or tokens <= context:
        return spec
    return spec | {"overrides": spec.get("overrides", {}) | {"models.max_context_tokens": f"{tokens} tok"}}


def dataset_length(spec: dict, r: dict, means: dict[str, float], p90s: dict[str, float] | None = None) -> dict:
    """A node-study row naming a workloads-catalog dataset with a published mean input length runs
    that many tokens per sample (rounded), not the row's ``seq_len``, which for MLPerf BERT
    training is the bound max_seq_length = 512: its phase-2 Wikipedia sequences hold 254.2 valid
    tokens on average, and NVIDIA's runs pack about two of them into each 512-token row
    (mlcommons/training_results_v3.1 NVIDIA bert packed_data/README.md: "Average sequences/sample
    1.99895"), so a step computes about half the tokens of ``batch`` x 512. Serving rows take
    their lengths from prompt_len and output_len; CNNs have no sequence length. A row whose
    ``statistic`` is "p90" runs the dataset's p90 length when the catalog has it: LoadGen's
    SingleStream draws each one-sample query uniformly from the loaded set and reports
    sorted(latencies)[floor(0.9 n)] (mlcommons/inference loadgen.cc, results.cc), the latency of
    the p90-length sample when latency does not fall with length (r-accf5 §2)."""
    tokens = (p90s or {}).get(r["dataset"]) if r.get("statistic") == "p90" else None
    tokens = means.get(r["dataset"]) if tokens is None else tokens
    if spec.get("study", "node") != "node" or tokens is None:
        return spec
    return spec | {"axes": spec["axes"] | {"seq_len": [max(1, round(tokens))]}}


def predict(measured: pl.DataFrame, catalogs: Catalogs, etas: list[float] | None = None,
            compute_model: str | None = None) -> pl.DataFrame:
    """One row per measurement: the prediction at the profile's η and its band (the ends of the
    profile's η range), the bound, the batch used, and ``grid``: the prediction at each η of
    ``etas`` (for calibration). ``reason`` says why a row has no prediction. ``compute_model``
    ("kernel" or "profile") sets ``efficiency.compute_model`` of every row's spec (None: each
    study's default, as a sweep has it)."""
    etas = ETA_GRID if etas is None else etas
    rows = measured.with_row_index("measurement")
    groups: dict[tuple, list[int]] = {}
    specs, reasons = {}, []
    models = {m: (c, p) for m, c, p in catalogs.models.select("name", "max_context_tokens", "position_embedding")
              .iter_rows()}
    means = {n: m for n, m in catalogs.workloads.select("name", "input_tokens_mean").iter_rows() if m is not None}
    p90s = {n: m for n, m in catalogs.workloads.select("name", "input_tokens_p90").iter_rows() if m is not None}
    datasets = Datasets.of(catalogs.workloads, catalogs.models)
    for i, r in enumerate(measured.select(SPEC_INPUTS).iter_rows(named=True)):
        if r["study"] == "kernel":  # one kernel call alone: the kernel study (predict_kernel_rows)
            continue
        spec, reason = measurement_spec(r, datasets)
        if spec is None:
            reasons.append({"measurement": i, "reason": reason})
        else:
            if compute_model is not None:
                spec["efficiency"] = spec["efficiency"] | {"compute_model": compute_model}
            specs[i] = run_context(dataset_length(spec, r, means, p90s), r, models)
    specs, workloads = fold_stated_lengths(specs, catalogs.workloads)  # a row's stated lengths: a workloads row
    catalogs = replace(catalogs, workloads=workloads)
    specs, trained = fold_training(specs, catalogs)  # training rows' layouts and contexts: one group
    for i, spec in specs.items():
        groups.setdefault(group_key(spec), []).append(i)

    def group(members: list[int]) -> list[pl.DataFrame]:
        at = trained if specs[members[0]].get("study") == "training" else catalogs
        try:
            part, alone, _ = _predict_together(members, specs, rows, at, etas)
            done = [part.filter(~pl.col("measurement").is_in(alone))]
        except InputError:  # some row's spec is bad: each row alone says which
            alone, done = members, []
        return done + [_predict_alone(i, specs[i], rows, at, etas) for i in alone]

    # Two groups at a time (never two under a request rate: ``side_by_side``): polars releases the GIL while it plans
    # and collects, so one group's collect runs on the second core beside the next group's Python (the order of
    # ``parts`` does not matter: sorted below). The
    # spaces' small tables collect on the in-memory engine too (``IN_MEMORY_ROWS``; a process-wide setting while
    # the groups run, restored after); the large collects below name the streaming engine.
    ordered = sorted(groups.values(), key=len, reverse=True)
    with pl.Config(engine_affinity="in-memory"):
        grouped = side_by_side(ordered, [rated(specs[m[0]]) for m in ordered], group)
    parts = [pl.DataFrame(reasons, schema=REASON), predict_kernel_rows(rows, catalogs)]
    parts += [p for done in grouped for p in done]
    out = pl.concat(parts, how="diagonal_relaxed").sort("measurement")
    out = rows.select("measurement", "name").join(out, on="measurement", how="left", maintain_order="left")
    return out.select(pl.col(c).cast(t) if c in out.columns else pl.lit(None, t).alias(c) for c, t in SCHEMA.items())


def rated(spec: dict) -> bool:
    """Whether a group's rows run under a request rate: its one collect evaluates wall 7's fixed point on every
    configuration and η, unstaged (``STAGE_ABOVE``), the largest memory of any group."""
    return "request_rate" in spec["axes"]


def side_by_side(jobs: list, heavy: list[bool], work: Callable) -> list:
    """``work`` of each job, ``GROUP_THREADS`` at a time, each thread taking the first job left, but a ``heavy`` one
    never beside another heavy one (it then takes the next job not heavy, or waits). Two groups under a request rate
    side by side set the peak RSS of the 250 rows' predictions (706 and 746 MB in two runs; 561-583 MB one at a
    time)."""
    results, left, errors = [None] * len(jobs), list(range(len(jobs))), []
    running = threading.Condition()
    heavy_running = [False]

    def worker() -> None:
        while True:
            with running:
                while left and not errors and all(heavy[i] and heavy_running[0] for i in left):
                    running.wait()
                if not left or errors:
                    return
                i = next(i for i in left if not (heavy[i] and heavy_running[0]))
                left.remove(i)
                heavy_running[0] |= heavy[i]
            try:
                results[i] = work(jobs[i])
            except BaseException as exc:  # noqa: BLE001  (raised below, in the caller's thread)
                errors.append(exc)
            with running:
                heavy_running[0] &= not heavy[i]
                running.notify_all()

    threads = [threading.Thread(target=worker) for _ in range(GROUP_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _predict_alone(i: int, spec: dict, rows: pl.DataFrame, catalogs: Catalogs, etas: list[float]) -> pl.DataFrame:
    """A row the shared space could not predict: its own space says why (a bad spec, or every
    configuration dropped by the space's rules)."""
    part = None
    try:
        part, missing, dropped = _predict_together([i], {i: spec}, rows, catalogs, etas)
    except InputError as exc:
        reason = "; ".join(p.render() for p in exc.problems)
    else:
        if not missing:
            return part
        reason = f"no configuration: {'; '.join(dropped)}" if dropped else NO_FIT
    row = pl.DataFrame({"measurement": [i], "reason": [reason]}, schema=REASON)
    return row if part is None else row.join(part.select("measurement", "family"), on="measurement", how="left")


def _predict_together(members: list[int], specs: dict[int, dict], rows: pl.DataFrame, catalogs: Catalogs,
                      etas: list[float]) -> tuple[pl.DataFrame, list[int], dict[str, int]]:
    """Rows of one group: one space, one collect. Returns their predictions, the rows that have
    no configuration in the space (to be predicted alone; their part holds the family only) and
    the space's drop counts."""
    group = [specs[i] for i in members]
    spec = group_spec(group)
    catalogs = overrides.apply(catalogs, spec.overrides)  # a run's own context (run_context)
    study = STUDIES[spec.study]
    space = build_shared(study, catalogs, group)  # in parts: the rows' own values are not multiplied together
    keys = tag_frameworks(_configurations(members, group), members, group)  # each row's framework's hardware
    if "burst" in group[0]:  # the requests at t = 0 ride with each configuration (serving_burst)
        keys = keys.with_columns(burst_requests=pl.col("measurement").replace_strict(
            members, [s["burst"] for s in group], return_dtype=pl.Float64))
    axes = [c for c in keys.columns if c != "measurement"]
    if "seq_len" in axes:  # a CNN has no sequence length: the model side leaves it null
        no_seq = space.model_side.filter(pl.col("seq_len").is_null())["model"].cast(pl.String).unique().implode()
        keys = keys.with_columns(seq_len=pl.when(pl.col("model").is_in(no_seq)).then(None).otherwise("seq_len"))
    on_hw = [c for c in axes if c in space.hardware_side.columns]
    hw = space.hardware_side.select(*on_hw, "family", "eta_compute", "eta_compute_low", "eta_compute_high") \
        .with_columns(pl.col(c).cast(keys.schema[c]) for c in on_hw)
    profile = keys.unique("measurement").join(hw, on=on_hw, nulls_equal=True).select(
        "measurement", pl.col("family").cast(pl.String), eta="eta_compute", eta_low="eta_compute_low",
        eta_high="eta_compute_high")
    if space.rows == 0:  # the space's rules drop every configuration
        return profile.select("measurement", "family"), members, space.dropped
    sides = {**space.model_side.schema, **space.hardware_side.schema}
    configurations = keys.drop("measurement").unique(maintain_order=True).with_columns(
        pl.col(c).cast(sides[c]) for c in axes if c in sides)
    restricted = MeasuredSpace(space.hardware_side, space.model_side, space.units, row_filter=space.row_filter,
                               configurations=configurations)
    build = serving_burst.build if "burst" in group[0] else study.build
    hardware = at_each_eta(space.hardware_side, etas)
    plan = build(restricted, hardware)  # its units name every column
    own = rows.filter(pl.col("measurement").is_in(members))  # the rows' metrics and statistics (picking.columns_read)
    stated = set(own["metric"].to_list()), set(own["statistic"].fill_null("mean").to_list())
    read = columns_read(spec.study, list(plan.units), axes, stated)
    on = [c for c in axes if c in read]
    staged = spec.study == "serving" and "request_rate" not in axes
    evaluated = configurations.height * (len(etas) + 3)  # the grid, the profile's η, its ends
    if not staged or evaluated <= STAGE_ABOVE:
        out = plan.frame.select(read).collect(engine="in-memory" if evaluated <= IN_MEMORY_ROWS else "streaming")
        out = out.with_columns(pl.col(c).cast(keys.schema[c]) for c in on).join(keys, on=on, nulls_equal=True)
        found = set(out["measurement"].unique().to_list())
    else:
        # first the configurations and η that run (STAGE_ABOVE), then everything else on those alone; ``found``
        # (rows with any configuration in the space) from the first
        runs = plan.frame.select(*on, "eta_compute", runs_=admitted(list(plan.units))).collect(engine="streaming")
        found = set(runs.select(on).unique().with_columns(pl.col(c).cast(keys.schema[c]) for c in on)
                    .join(keys, on=on, nulls_equal=True)["measurement"].to_list())
        runs = runs.filter("runs_").select(*on, "eta_compute").unique().with_columns(
            pl.col(c).cast(configurations.schema[c]) for c in on)
        restricted = replace(restricted, configurations=configurations.join(
            runs, on=on, nulls_equal=True, maintain_order="left"))
        out = build(restricted, hardware).frame.select(read).collect(engine="streaming")
        out = out.with_columns(pl.col(c).cast(keys.schema[c]) for c in on).join(keys, on=on, nulls_equal=True)
    missing = [i for i in members if i not in found]
    bench = [pl.col(c) for c in ("framework", "scenario", "batch", "request_rate", "concurrency", "requests")]
    tuned = runs_trtllm_bench(*bench)  # its batch tuner's batch (picking.picked)
    untuned = runs_untuned(*bench, pl.col("model"), untuned_models(catalogs.models))  # its KV capacity
    out = out.join(rows.select("measurement", "metric", "devices", "requests", "statistic", row_tp="tp",
                               tuned=tuned, untuned=untuned), on="measurement")
    part = pl.concat([picked(spec.study, out, profile.filter(pl.col("measurement").is_in(list(found))), etas,
                              stated),
                      profile.filter(pl.col("measurement").is_in(missing)).select("measurement", "family")],
                     how="diagonal_relaxed")
    return part, missing, space.dropped
