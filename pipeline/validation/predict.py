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

from dataclasses import dataclass, replace

import polars as pl

from pipeline.catalogs import overrides
from pipeline.catalogs.expert_schema import EXPERT_COLUMNS, POOL_METRICS
from pipeline.catalogs.kernel_schema import TRAINING_RUN_COLUMNS
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.schemas import METRICS
from pipeline.catalogs.speculative_schema import SPECULATIVE_COLUMNS
from pipeline.errors import InputError
from pipeline.runs import STUDIES
from pipeline.studies import serving_burst
from pipeline.studies.sides import Space
from pipeline.validation.eta_grid import ETA_GRID, at_each_eta
from pipeline.validation.grouping import group_key
from pipeline.validation.kernel_rows import predict_kernel_rows
from pipeline.validation.row_context import fold_stated_lengths
from pipeline.validation.shared_space import build_shared, group_spec, tag_frameworks
from pipeline.validation.serving_rows import SERVING_BATCHES, Datasets, admitted, delivered_tokens_per_s, serving_spec
from pipeline.validation.training_context import fold_training
from pipeline.validation.training_spec import training_spec

NODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
THROUGHPUT = {"samples_per_s", "tokens_per_s", "tokens_per_s_per_device", "training_tokens_per_s", "mfu", "hfu",
              *POOL_METRICS}
COLUMN = {"training_tokens_per_s": "tokens_per_s"}  # metric -> output column, where the names differ
NO_FIT = "no feasible configuration (does not fit in memory)"
NO_FIT_AT_PROFILE = "no feasible configuration at the profile's efficiency"
OVER_CAPACITY = "the request rate exceeds the predicted capacity at every efficiency (wall 7: unstable)"
OVER_CAPACITY_AT_PROFILE = "the request rate exceeds the predicted capacity at the profile's efficiency"
SPEC_INPUTS = ["study", "scenario", "metric", "framework", "model", "hardware", "cluster", "compute_dtype",
               "weight_dtype", "batch", "seq_len", "devices", "tp", "pp", "dp", "microbatch", "recompute", "prompt_len",
               "output_len", "cp", "ep", "trained", "zero_stage", "virtual_stages", "sequence_parallel", "kv_cache",
               "dataset", "concurrency", "request_rate", "requests",
               *TRAINING_RUN_COLUMNS, *SPECULATIVE_COLUMNS,
               *EXPERT_COLUMNS]  # the measurement columns measurement_spec reads
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


def measurement_spec(r: dict, datasets: Datasets | None = None) -> tuple[dict | None, str | None]:
    """The one-configuration spec that predicts measurement ``r`` (None and why when it cannot);
    ``datasets`` resolves a serving row's dataset (``serving_rows``)."""
    lora = r["trained"] == "lora"  # LoRA is a layout of the training study: its samples/s too (global batch / step)
    study, framework = "training" if lora else r["study"], {"framework": r["framework"]}
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
        return {"axes": {"model": [r["model"]], "hardware": [r["hardware"]], "compute_dtype": [r["compute_dtype"]],
                         "batch": batches or NODE_BATCHES, "seq_len": [r["seq_len"] or 2048],
                         "workload": ["training" if training else "inference"]}, "efficiency": framework}, None
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




def _value(study: str, columns: list[str], metrics: set[str] | None = None,
           statistics: set[str] | None = None) -> pl.Expr:
    """The prediction of each row's metric for the whole system the measurement ran on. ``metrics`` and
    ``statistics`` (None: every one): those of the rows at hand; a row's value is the first case of its own
    metric and statistic, so the cases of the others are left out, and with them the columns only they read,
    which the collect then does not compute (a group under load without a P50 or P99 row: no tail latency)."""
    metric, devices = pl.col("metric"), pl.col("devices")
    cases = []

    def add(m: str, when: pl.Expr, then: pl.Expr, statistic: str | None = None) -> None:
        if (metrics is None or m in metrics) and (statistic is None or statistics is None or statistic in statistics):
            cases.append((when, then))

    if study == "serving":
        # Benchmarks time whole requests: throughput includes prefill (batch_tokens_per_s), per replica; the
        # system runs devices / (tp x pp x ep / tp) replicas (ep / tp attention groups: serving_ep).
        # an offline run of a stated request count: its whole waves (serving_rows.burst_of, wall 7's burst)
        per_replica = pl.coalesce("burst_tokens_per_s", "batch_tokens_per_s") if "burst_tokens_per_s" in columns \
            else pl.col("batch_tokens_per_s")
        groups = (pl.col("ep") // pl.col("tp")).clip(lower_bound=1)
        devices_per_replica = pl.col("tp") * pl.col("pp") * groups
        if "ttft_mean_s" in columns:  # under a request rate: wall 7's means (load_axes)
            loaded = pl.col("request_rate").is_not_null()
            finite = [f"finite_run_{m}_mean_s" for m in ("ttft", "tpot") if "finite_run_ttft_mean_s" in columns]
            # the statistic the row states (null: mean): wall 7's P50/P99 (tail_latency, tpot_tail); no P90 there
            stat = pl.col("statistic").fill_null("mean")
            tails = {"ttft_s": ("ttft_p50_s", "ttft_p99_s"), "itl_s": ("tpot_p50_s", "tpot_p99_s")}
            for m, (p50, p99) in tails.items():
                add(m, (metric == m) & loaded & (stat == "p50"), pl.col(p50), "p50")
                add(m, (metric == m) & loaded & (stat == "p99"), pl.col(p99), "p99")
                add(m, (metric == m) & loaded & (stat == "p90"), pl.lit(None, pl.Float64), "p90")
            # a run of stated requests (pipeline.walls.finite_run) starts empty: below capacity the smaller of its
            # finite-run mean and the steady state's, which bounds it (Lindley's waits from an empty queue grow
            # towards the stationary ones, Loynes 1962); above capacity (steady state null) the finite run's
            add("ttft_s", (metric == "ttft_s") & loaded, pl.min_horizontal("ttft_mean_s", *finite[:1]))
            add("itl_s", (metric == "itl_s") & loaded, pl.min_horizontal("tpot_under_load_s", *finite[1:]))
            add("tokens_per_s", (metric == "tokens_per_s") & loaded,
                delivered_tokens_per_s(devices / devices_per_replica, finite))
        add("latency_s", metric == "latency_s", pl.col("e2e_latency_s"))  # a decoder's whole query (measurements)
        add("tokens_per_s", metric == "tokens_per_s", per_replica * (devices / devices_per_replica))
        add("tokens_per_s_per_device", metric == "tokens_per_s_per_device", per_replica / devices_per_replica)
        if "burst_ttft_mean_s" in columns:  # a burst at t = 0 (burst_of)
            add("ttft_s", metric == "ttft_s", pl.col("burst_ttft_mean_s"))
            add("itl_s", metric == "itl_s", pl.col("burst_tpot_mean_s"))
    for m in METRICS:
        column = COLUMN.get(m, m)
        if column in columns:
            scale = devices if (study, m) == ("node", "samples_per_s") else 1
            add(m, metric == m, pl.col(column).cast(pl.Float64) * scale)
    if not cases:  # no row's metric is one this study predicts
        return pl.lit(None, pl.Float64)
    (first, then), *rest = cases
    value = pl.when(first).then(then)
    for when, then in rest:
        value = value.when(when).then(then)
    return value


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


def dataset_length(spec: dict, r: dict, means: dict[str, float]) -> dict:
    """A node-study row naming a workloads-catalog dataset with a published mean input length runs
    that many tokens per sample (rounded), not the row's ``seq_len``, which for MLPerf BERT
    training is the bound max_seq_length = 512: its phase-2 Wikipedia sequences hold 254.2 valid
    tokens on average, and NVIDIA's runs pack about two of them into each 512-token row
    (mlcommons/training_results_v3.1 NVIDIA bert packed_data/README.md: "Average sequences/sample
    1.99895"), so a step computes about half the tokens of ``batch`` x 512. Serving rows take
    their lengths from prompt_len and output_len; CNNs have no sequence length."""
    mean = means.get(r["dataset"])
    if spec.get("study", "node") != "node" or mean is None:
        return spec
    return spec | {"axes": spec["axes"] | {"seq_len": [max(1, round(mean))]}}


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
            specs[i] = run_context(dataset_length(spec, r, means), r, models)
    specs, workloads = fold_stated_lengths(specs, catalogs.workloads)  # a row's stated lengths: a workloads row
    catalogs = replace(catalogs, workloads=workloads)
    specs, trained = fold_training(specs, catalogs)  # training rows' layouts and contexts: one group
    for i, spec in specs.items():
        groups.setdefault(group_key(spec), []).append(i)
    parts = [pl.DataFrame(reasons, schema=REASON), predict_kernel_rows(rows, catalogs)]
    for members in groups.values():
        at = trained if specs[members[0]].get("study") == "training" else catalogs
        try:
            part, alone, _ = _predict_together(members, specs, rows, at, etas)
            parts.append(part.filter(~pl.col("measurement").is_in(alone)))
        except InputError:  # some row's spec is bad: each row alone says which
            alone = members
        parts += [_predict_alone(i, specs[i], rows, at, etas) for i in alone]
    out = pl.concat(parts, how="diagonal_relaxed").sort("measurement")
    out = rows.select("measurement", "name").join(out, on="measurement", how="left", maintain_order="left")
    return out.select(pl.col(c).cast(t) if c in out.columns else pl.lit(None, t).alias(c) for c, t in SCHEMA.items())


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
    own = rows.filter(pl.col("measurement").is_in(members))  # the rows' metrics and statistics (_value)
    stated = set(own["metric"].to_list()), set(own["statistic"].fill_null("mean").to_list())
    read = _read(spec.study, list(plan.units), axes, stated)
    on = [c for c in axes if c in read]
    staged = spec.study == "serving" and "request_rate" not in axes
    if not staged or configurations.height * (len(etas) + 3) <= STAGE_ABOVE:  # the grid, the profile's η, its ends
        out = plan.frame.select(read).collect()
        out = out.with_columns(pl.col(c).cast(keys.schema[c]) for c in on).join(keys, on=on, nulls_equal=True)
        found = set(out["measurement"].unique().to_list())
    else:
        # first the configurations and η that run (STAGE_ABOVE), then everything else on those alone; ``found``
        # (rows with any configuration in the space) from the first
        runs = plan.frame.select(*on, "eta_compute", runs_=admitted(list(plan.units))).collect()
        found = set(runs.select(on).unique().with_columns(pl.col(c).cast(keys.schema[c]) for c in on)
                    .join(keys, on=on, nulls_equal=True)["measurement"].to_list())
        runs = runs.filter("runs_").select(*on, "eta_compute").unique().with_columns(
            pl.col(c).cast(configurations.schema[c]) for c in on)
        restricted = replace(restricted, configurations=configurations.join(
            runs, on=on, nulls_equal=True, maintain_order="left"))
        out = build(restricted, hardware).frame.select(read).collect()
        out = out.with_columns(pl.col(c).cast(keys.schema[c]) for c in on).join(keys, on=on, nulls_equal=True)
    missing = [i for i in members if i not in found]
    out = out.join(rows.select("measurement", "metric", "devices", "requests", "statistic", row_tp="tp"),
                   on="measurement")
    part = pl.concat([_picked(spec.study, out, profile.filter(pl.col("measurement").is_in(list(found))), etas,
                              stated),
                      profile.filter(pl.col("measurement").is_in(missing)).select("measurement", "family")],
                     how="diagonal_relaxed")
    return part, missing, space.dropped


def _read(study: str, columns: list[str], axes: list[str], stated: tuple[set[str], set[str]] | None = None,
          ) -> list[str]:
    """The columns of a group's evaluated frame that picking reads (``_picked``, ``_over_capacity``): the
    axes, what each metric's value reads (``_value``), feasibility and KV admission (``admitted``),
    stability, the bound and the batch.
    Selecting them before the collect leaves the other columns uncomputed: 0.5 of 2.3 CPU s of collects."""
    value = _value(study, columns, *(stated or ()))
    wanted = {*axes, *value.meta.root_names(), *admitted(columns).meta.root_names(), "step",
              "batch", "global_batch", "bound", "ttft_bound", "is_stable", "eta_compute", "request_rate"}
    return [c for c in columns if c in wanted]


def _picked(study: str, out: pl.DataFrame, profile: pl.DataFrame, etas: list[float],
            stated: tuple[set[str], set[str]] | None = None) -> pl.DataFrame:
    """At each η, the configuration each row's batch rule picks: the given batch, else the batch
    with the best value (highest throughput, lowest latency) among those that fit."""
    if study == "node":
        out = out.filter(pl.col("step").is_in(["forward", "prefill", "train"]))
    batch = "batch" if "batch" in out.columns else "global_batch"
    bound = pl.col("bound").cast(pl.String)
    if "ttft_bound" in out.columns:  # the binding term of what was measured: prefill's for a TTFT
        bound = pl.when(pl.col("metric") == "ttft_s").then(pl.col("ttft_bound").cast(pl.String)).otherwise(bound)
    best_first = pl.when(pl.col("metric").is_in(list(THROUGHPUT))).then(-pl.col("value")).otherwise("value")
    # a latency row of unstated tp: the smallest tp that fits (serving_rows.tp_grid), then its best batch
    layout = (pl.when(pl.col("row_tp").is_null() & ~pl.col("metric").is_in(list(THROUGHPUT))).then(pl.col("tp"))
              .otherwise(0) if "tp" in out.columns else pl.lit(0))
    # equal values (a rate both layouts deliver): the one that fits at its batch, then the smaller tp, so the bound
    # reported does not hang on the order of the frame's rows
    ties = [(~pl.col(c)).alias("tie_unfit") if c == "is_feasible" else pl.col(c).alias("tie_tp")
            for c in ("is_feasible", "tp") if c in out.columns]
    chosen = (out.with_columns(value=_value(study, out.columns, *(stated or ())))
              .filter(admitted(out.columns) & pl.col("value").is_not_null())
              .select("measurement", "eta_compute", "value", bound.alias("bound"),
                      pl.col(batch).cast(pl.Float64).alias("batch_used"), layout.alias("layout"),
                      best_first.alias("order"), *ties)
              .sort("measurement", "eta_compute", "layout", "order", "batch_used",
                    *(t.meta.output_name() for t in ties))
              .unique(["measurement", "eta_compute"], keep="first", maintain_order=True)
              .drop("order", "layout", *(t.meta.output_name() for t in ties)))
    at = profile.join(chosen.rename({"eta_compute": "eta"}), on=["measurement", "eta"], how="left")
    band = pl.concat([profile.join(chosen, left_on=["measurement", e], right_on=["measurement", "eta_compute"])
                      .select("measurement", "value") for e in ("eta_low", "eta_high")])
    band = band.group_by("measurement").agg(predicted_low=pl.col("value").min(), predicted_high=pl.col("value").max())
    grid = _grid(profile.select("measurement"), chosen, etas)
    fits = chosen.group_by("measurement").len()
    fits = fits.join(_over_capacity(out, profile), on="measurement", how="full", coalesce=True)
    reason = (pl.when(pl.col("len").is_null() & pl.col("over_everywhere")).then(pl.lit(OVER_CAPACITY))
              .when(pl.col("len").is_null()).then(pl.lit(NO_FIT))
              .when(pl.col("value").is_null() & pl.col("over_at_profile")).then(pl.lit(OVER_CAPACITY_AT_PROFILE))
              .when(pl.col("value").is_null()).then(pl.lit(NO_FIT_AT_PROFILE)))
    ok = reason.is_null()
    frame = (at.join(band, on="measurement", how="left").join(grid, on="measurement", how="left")
             .join(fits, on="measurement", how="left").with_columns(reason=reason))
    return frame.select(
        "measurement", "family", "reason",
        *(pl.when(ok).then(pl.col(c)).alias(t) for c, t in (
            ("value", "predicted"), ("predicted_low", "predicted_low"), ("predicted_high", "predicted_high"),
            ("eta", "eta_compute"), ("eta_low", "eta_low"), ("eta_high", "eta_high"), ("bound", "bound"),
            ("batch_used", "batch_used"), ("grid", "grid"))))


def _over_capacity(out: pl.DataFrame, profile: pl.DataFrame) -> pl.DataFrame:
    """Per measurement under load (wall 7): whether its request rate is above the capacity at every η
    where it fits (``over_everywhere``) and at the profile's η (``over_at_profile``): a row the model
    calls unstable is not a memory misfit. Both false without a request rate."""
    flags = {"over_everywhere": pl.Boolean, "over_at_profile": pl.Boolean}
    if "is_stable" not in out.columns:
        return profile.select("measurement").with_columns(pl.lit(False, t).alias(c) for c, t in flags.items())
    over = (out.filter(admitted(out.columns) & pl.col("request_rate").is_not_null()  # a throughput row
                       & pl.col("metric").is_in(["ttft_s", "itl_s"]))  # over capacity runs at capacity
            .group_by("measurement", "eta_compute").agg(over=~pl.col("is_stable").fill_null(False).any()))
    at = profile.select("measurement", "eta").join(over.rename({"eta_compute": "eta"}), on=["measurement", "eta"],
                                                   how="left")
    return (over.group_by("measurement").agg(over_everywhere=pl.col("over").all())
            .join(at.select("measurement", over_at_profile="over"), on="measurement", how="full", coalesce=True)
            .with_columns(pl.col(c).fill_null(False) for c in flags))


def _grid(measurements: pl.DataFrame, chosen: pl.DataFrame, etas: list[float]) -> pl.DataFrame:
    """Per measurement, the picked value at each η of ``etas``, in order (null where none fits)."""
    if not etas:
        return measurements.with_columns(grid=pl.lit(pl.Series([[]], dtype=pl.List(pl.Float64))).first())
    at = pl.DataFrame({"eta_compute": etas, "k": range(len(etas))}, schema={"eta_compute": pl.Float64, "k": pl.Int64})
    return (measurements.join(at, how="cross")
            .join(chosen.select("measurement", "eta_compute", "value"), on=["measurement", "eta_compute"], how="left")
            .sort("measurement", "k").group_by("measurement", maintain_order=True).agg(grid=pl.col("value")))
