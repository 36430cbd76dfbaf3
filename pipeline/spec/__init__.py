"""The sweep spec (TOML): study, axes, catalog filters, efficiency, software knobs, output.

Every value is checked at once; a bad spec raises one ``InputError`` naming each bad key
(``axes.batch[0]: got 0, expected an integer > 0``).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem

DEFAULT_SPEC = Path(__file__).with_name("specs") / "default.toml"
STUDIES = ("node", "serving", "training")
SERVING_AXES = ("weight_dtype", "kv_dtype", "precision", "tp", "pp", "prompt_len", "output_len",
                "reasoning_tokens", "request_rate", "replicas", "prune_ratio", "distill_to")
TRAINING_AXES = ("cluster", "gpus", "dp", "tp", "pp", "cp", "ep", "microbatch", "global_batch", "virtual_stages",
                 "zero_stage", "recompute", "sequence_parallel")
TRAINING_KNOBS = ("dp_overlap_fraction", "memory_reserve_fraction", "flash_attention", "dropout", "dp_sgd",
                  "storage", "data_pipeline", "host_cores_per_node",
                  "gradient_bytes_per_param",
                  "pp_balance_tolerance", "tp_across_domains", "train_tokens", "restart_time_s")
RECOMPUTE = ("none", "selective", "full")
DP_SGD = ("none", "book-keeping", "opacus")  # pipeline.walls.training.DP_SGD_STEP_MULTIPLIER
OPERATIONS_KNOBS = ("pricing", "cloud", "service_life_years", "depreciation_years", "maintenance_fraction_per_year",
                    "facility_capex_multiplier", "tco_horizon_years", "shared_utilization", "service_time_cv")
PRICING = ("on-demand", "reserved-1y", "reserved-3y", "spot")
WORKLOADS = ("inference", "training")
COMPRESSIONS = ("lz4", "zstd", "snappy", "uncompressed")
HARDWARE_FILTERS = ("vendor", "family", "category", "name")
MODEL_FILTERS = ("family", "model_type", "name")


@dataclass(frozen=True)
class SweepSpec:
    study: str = "node"
    hardware: tuple[str, ...] | None = None  # None: all
    model: tuple[str, ...] | None = None
    compute_dtype: tuple[str, ...] = ("fp16",)
    batch: tuple[int, ...] = (1,)
    seq_len: tuple[int, ...] = (2048,)
    workload: tuple[str, ...] = ("inference",)
    hardware_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    framework: str = "default"
    eta_compute: float | None = None
    kernels_per_transformer_layer: int = 11
    kernels_per_cnn_layer: int = 1
    launch_overhead_per_kernel_s: float = 4e-6
    # serving study: weights and KV cache may be stored narrower than compute (None: = compute_dtype)
    weight_dtype: tuple[str, ...] | None = None
    kv_dtype: tuple[str, ...] | None = None
    precision_tied: bool = False  # axes.precision: weight, KV and compute share one dtype per row
    tp: tuple[int, ...] = (1,)
    pp: tuple[int, ...] = (1,)
    prompt_len: tuple[int, ...] = (2048,)
    output_len: tuple[int, ...] = (256,)
    reasoning_tokens: tuple[int, ...] = (0,)  # wall 12: thinking tokens decoded before the answer
    request_rate: tuple[float, ...] | None = None  # wall 7: requests/s; None: offline (batch = concurrency)
    replicas: tuple[int, ...] = (1,)  # wall 7: tp x pp replicas sharing the request stream
    prune_ratio: tuple[float, ...] = (0.0,)  # wall 13: share of every layer matrix removed by structured pruning
    distill_to: tuple[str, ...] | None = None  # wall 13: smaller catalog models that stand in for larger ones
    load_iterations: int = 6  # fixed-point iterations for the batch in flight under load
    eta_memory: float | None = None
    eta_link: float | None = None
    memory_reserve_fraction: float = 0.10
    kv_block_tokens: int = 16
    weight_streaming: bool = False
    dequant_overhead_fraction: float = 0.30
    prefill_chunk_tokens: int = 8192
    # training study
    cluster: tuple[str, ...] | None = None  # None: all
    gpus: tuple[int, ...] | None = (8, 64, 512, 4096)  # None: gpus = dp x tp x pp x cp
    dp: tuple[int, ...] | None = None  # None: dp = gpus / (tp x pp x cp)
    cp: tuple[int, ...] = (1,)
    ep: tuple[int, ...] = (1,)
    microbatch: tuple[int, ...] = (1,)
    global_batch: tuple[int, ...] = (1024,)
    virtual_stages: tuple[int, ...] = (1,)
    zero_stage: tuple[int, ...] = (1,)
    recompute: tuple[str, ...] = ("selective",)
    sequence_parallel: tuple[bool, ...] = (True,)
    dp_overlap_fraction: float = 0.0
    flash_attention: bool = True
    dropout: bool = False
    storage: str | None = None  # walls 8, 9: a storage catalog name (None: not checked)
    data_pipeline: str | None = None  # a host_pipelines catalog name
    host_cores_per_node: int = 112  # DGX H100: 2x Xeon Platinum 8480C, 56 cores each (NVIDIA DGX H100 datasheet)
    accelerators_per_node: int = 8  # node study: the node whose storage and cores one accelerator shares
    dp_sgd: str = "none"  # wall 20: none, book-keeping or opacus (pipeline.walls.training.DP_SGD_STEP_MULTIPLIER)
    gradient_bytes_per_param: float = 2.0
    pp_balance_tolerance: float = 0.10
    tp_across_domains: bool = False
    train_tokens: float | None = None  # None: Chinchilla-optimal for each model
    restart_time_s: float = 0.0
    # operations (walls 16-18), any study: None = no region axis, operations columns null
    region: tuple[str, ...] | None = None
    pricing: str = "on-demand"
    cloud: str = "any"  # the provider whose offers price the rented cost ("any": the cheapest)
    service_life_years: float = 5.0
    depreciation_years: float = 5.0
    maintenance_fraction_per_year: float = 0.0
    facility_capex_multiplier: float = 0.0
    tco_horizon_years: float = 5.0
    shared_utilization: float | None = None
    service_time_cv: float = 1.0
    synthesis_target_fraction: float = 0.8  # wall 22: the target as a fraction of the predicted latency
    overrides: dict[str, float] = field(default_factory=dict)  # what-if: "table.column" -> value in its unit
    out_dir: str = "outputs"
    compression: str = "lz4"
    source: str = "built-in"

    def as_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "axes": {"hardware": list(self.hardware) if self.hardware else "all",
                     "model": list(self.model) if self.model else "all",
                     "compute_dtype": list(self.compute_dtype), "batch": list(self.batch),
                     "seq_len": list(self.seq_len), "workload": list(self.workload)},
            "filters": {"hardware": {k: list(v) for k, v in self.hardware_filters.items()},
                        "model": {k: list(v) for k, v in self.model_filters.items()}},
            "efficiency": {"framework": self.framework, "eta_compute": self.eta_compute},
            "software": {"kernels_per_transformer_layer": self.kernels_per_transformer_layer,
                         "kernels_per_cnn_layer": self.kernels_per_cnn_layer,
                         "launch_overhead_per_kernel_s": self.launch_overhead_per_kernel_s},
            "output": {"dir": self.out_dir, "compression": self.compression},
        } | ({} if not self.overrides else {"overrides": dict(self.overrides)}) | ({} if self.region is None else {
            "region": list(self.region), "operations": {k: getattr(self, k) for k in OPERATIONS_KNOBS}}
        ) | ({} if self.study != "training" else {
            "training_axes": {"cluster": list(self.cluster) if self.cluster else "all",
                              **{k: (None if getattr(self, k) is None else list(getattr(self, k)))
                                 for k in TRAINING_AXES if k != "cluster"}},
            "training": {k: getattr(self, k) for k in TRAINING_KNOBS}
                        | {"eta_link": self.eta_link},
        }) | ({} if self.study != "serving" else {
            "serving_axes": {"precision_tied": self.precision_tied,
                             "weight_dtype": list(self.weight_dtype or self.compute_dtype),
                             "kv_dtype": list(self.kv_dtype or self.compute_dtype),
                             "tp": list(self.tp), "pp": list(self.pp), "prompt_len": list(self.prompt_len),
                             "output_len": list(self.output_len), "reasoning_tokens": list(self.reasoning_tokens),
                             "request_rate": None if self.request_rate is None else list(self.request_rate),
                             "replicas": list(self.replicas), "prune_ratio": list(self.prune_ratio),
                             "distill_to": None if self.distill_to is None else list(self.distill_to)},
            "serving": {"eta_memory": self.eta_memory, "eta_link": self.eta_link,
                        "memory_reserve_fraction": self.memory_reserve_fraction,
                        "kv_block_tokens": self.kv_block_tokens, "weight_streaming": self.weight_streaming,
                        "prefill_chunk_tokens": self.prefill_chunk_tokens,
                        "dequant_overhead_fraction": self.dequant_overhead_fraction}})


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(None, key, message))

    def names(self, raw: dict, key: str) -> tuple[str, ...] | None:
        value = raw.get(key, "all")
        if value == "all":
            return None
        return self.strings(value, f"axes.{key}", allow_all=True)

    def strings(self, value: Any, key: str, choices: tuple[str, ...] | None = None,
                allow_all: bool = False) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.bad(key, f"got {value!r}, expected a non-empty list of names"
                     + (' or "all"' if allow_all else ""))
            return ()
        out = []
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v:
                self.bad(f"{key}[{i}]", f"got {v!r}, expected a name")
            elif choices and v not in choices:
                self.bad(f"{key}[{i}]", f"got {v!r}, expected one of {', '.join(choices)}")
            else:
                out.append(v)
        return tuple(out)

    def positive_ints(self, value: Any, key: str, minimum: int = 1) -> tuple[int, ...]:
        expected = f"integers >= {minimum}" if minimum != 1 else "integers > 0"
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value:
            self.bad(key, f"got {value!r}, expected a non-empty list of {expected}")
            return ()
        out = []
        for i, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
                self.bad(f"{key}[{i}]", f"got {v!r}, expected an integer {expected.split(' ', 1)[1]}")
            else:
                out.append(v)
        return tuple(out)

    def positive_number(self, value: Any, key: str, upper: float | None = None) -> float | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value <= 0 or (upper is not None and value > upper):
            bound = f" and <= {upper}" if upper is not None else ""
            self.bad(key, f"got {value!r}, expected a number > 0{bound}")
            return None
        return float(value)

    def filters(self, raw: Any, key: str, allowed: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        if not isinstance(raw, dict):
            self.bad(key, f"got {raw!r}, expected a table of column = [values]")
            return {}
        out = {}
        for column, values in raw.items():
            if column not in allowed:
                self.bad(f"{key}.{column}", f"unknown filter column; expected one of {', '.join(allowed)}")
                continue
            if values == []:
                continue
            out[column] = self.strings(values, f"{key}.{column}")
        return out

    def section(self, raw: dict, name: str, known: tuple[str, ...]) -> dict:
        """A [table] of the spec (empty if absent); anything but a table is a problem."""
        value = raw.get(name, {})
        if not isinstance(value, dict):
            self.bad(name, f"got {value!r}, expected a table ([{name}])")
            return {}
        self.unknown_keys(value, known, f"{name}.")
        return value

    def unknown_keys(self, raw: dict, known: tuple[str, ...], prefix: str) -> None:
        for k in raw:
            if k not in known:
                self.bad(f"{prefix}{k}", f"unknown key; expected one of {', '.join(known)}")


def parse_spec(raw: dict[str, Any], source: str = "sweep spec") -> SweepSpec:
    """Check a spec dictionary (as read from TOML) and return a ``SweepSpec``."""
    c = _Checker()
    c.unknown_keys(raw, ("study", "axes", "filters", "efficiency", "software", "output", "serving", "training",
                         "operations", "analysis", "overrides", "data"), "")
    study = raw.get("study", "node")
    if study not in STUDIES:
        c.bad("study", f"got {study!r}, expected one of {', '.join(STUDIES)}")
    serving, training = study == "serving", study == "training"
    axes = c.section(raw, "axes", ("hardware", "model", "compute_dtype", "batch", "seq_len", "workload", "region")
                     + (SERVING_AXES if serving else ()) + (TRAINING_AXES if training else ()))
    filters = c.section(raw, "filters", ("hardware", "model"))
    eff = c.section(raw, "efficiency", ("framework", "eta_compute") + (("eta_memory", "eta_link") if serving else ())
                    + (("eta_link",) if training else ()))
    srv = c.section(raw, "serving", ("memory_reserve_fraction", "kv_block_tokens", "weight_streaming",
                                     "dequant_overhead_fraction", "prefill_chunk_tokens")) if serving else {}
    sw = c.section(raw, "software", ("kernels_per_transformer_layer", "kernels_per_cnn_layer",
                                     "launch_overhead_per_kernel_s"))
    out = c.section(raw, "output", ("dir", "compression"))
    defaults = SweepSpec()
    eta = eff.get("eta_compute")
    kt = sw.get("kernels_per_transformer_layer", defaults.kernels_per_transformer_layer)
    kc = sw.get("kernels_per_cnn_layer", defaults.kernels_per_cnn_layer)
    serving_fields = _serving_fields(c, axes, eff, srv, defaults) if serving else {}
    if training:
        serving_fields = _training_fields(c, axes, eff, c.section(raw, "training", TRAINING_KNOBS), defaults)
    serving_fields |= _operations_fields(c, axes, c.section(raw, "operations", OPERATIONS_KNOBS), defaults)
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        c.bad("overrides", f"got {overrides!r}, expected a table of \"table.column\" = \"value unit\"")
    else:
        from pipeline.catalogs import overrides as what_if

        try:
            serving_fields["overrides"] = what_if.parse({str(k): str(v) for k, v in overrides.items()}, "overrides")
        except InputError as exc:
            c.problems += exc.problems
    if study == "node":  # walls 8, 9 for the training rows
        data = c.section(raw, "data", ("storage", "data_pipeline", "host_cores_per_node", "accelerators_per_node"))
        for key in ("storage", "data_pipeline"):
            if data.get(key) is not None:
                if isinstance(data[key], str) and data[key]:
                    serving_fields[key] = data[key]
                else:
                    c.bad(f"data.{key}", f"got {data[key]!r}, expected a catalog name")
        for key in ("host_cores_per_node", "accelerators_per_node"):
            if key in data:
                serving_fields[key] = (c.positive_ints(data[key], f"data.{key}") or (1,))[0]
    analysis = c.section(raw, "analysis", ("synthesis_target_fraction",))
    if "synthesis_target_fraction" in analysis:
        serving_fields["synthesis_target_fraction"] = c.positive_number(
            analysis["synthesis_target_fraction"], "analysis.synthesis_target_fraction") or 0.8
    spec = SweepSpec(
        study=study,
        hardware=c.names(axes, "hardware"),
        model=c.names(axes, "model"),
        compute_dtype=serving_fields.pop("compute_dtype", None) or c.strings(
            axes.get("compute_dtype", list(defaults.compute_dtype)), "axes.compute_dtype"),
        batch=c.positive_ints(axes.get("batch", list(defaults.batch)), "axes.batch"),
        seq_len=c.positive_ints(axes.get("seq_len", list(defaults.seq_len)), "axes.seq_len"),
        workload=("training",) if training else c.strings(axes.get("workload", list(defaults.workload)),
                                                          "axes.workload", WORKLOADS),
        hardware_filters=c.filters(filters.get("hardware", {}), "filters.hardware", HARDWARE_FILTERS),
        model_filters=c.filters(filters.get("model", {}), "filters.model", MODEL_FILTERS),
        framework=str(eff.get("framework", "default")),
        eta_compute=None if eta is None else c.positive_number(eta, "efficiency.eta_compute", 1.0),
        kernels_per_transformer_layer=(c.positive_ints(kt, "software.kernels_per_transformer_layer")
                                       or (0,))[0],
        kernels_per_cnn_layer=(c.positive_ints(kc, "software.kernels_per_cnn_layer") or (0,))[0],
        launch_overhead_per_kernel_s=c.positive_number(
            sw.get("launch_overhead_per_kernel_s", defaults.launch_overhead_per_kernel_s),
            "software.launch_overhead_per_kernel_s") or 0.0,
        **serving_fields,
        out_dir=str(out.get("dir", defaults.out_dir)),
        compression=out.get("compression", defaults.compression),
        source=source,
    )
    if spec.compression not in COMPRESSIONS:
        c.bad("output.compression", f"got {spec.compression!r}, expected one of {', '.join(COMPRESSIONS)}")
    if c.problems:
        raise InputError(source, c.problems)
    return spec


def _serving_fields(c: _Checker, axes: dict, eff: dict, srv: dict, defaults: SweepSpec) -> dict[str, Any]:
    """The serving study's axes and knobs; ``precision`` sets weight, KV and compute dtypes at once."""
    out: dict[str, Any] = {}
    if "precision" in axes:
        both = [k for k in ("weight_dtype", "kv_dtype", "compute_dtype") if k in axes]
        if both:
            c.bad("axes.precision", f"sets weight, KV and compute dtypes; remove axes.{', axes.'.join(both)}")
        out["compute_dtype"] = out["weight_dtype"] = out["kv_dtype"] = c.strings(axes["precision"], "axes.precision")
        out["precision_tied"] = True
    for key in ("weight_dtype", "kv_dtype"):
        if key in axes:
            out[key] = c.strings(axes[key], f"axes.{key}")
    for key in ("tp", "pp", "prompt_len", "output_len", "replicas"):
        out[key] = c.positive_ints(axes.get(key, list(getattr(defaults, key))), f"axes.{key}")
    for i, r in enumerate(out["replicas"]):
        if r > 64:  # pipeline.walls.load.MAX_REPLICAS
            c.bad(f"axes.replicas[{i}]", f"got {r}, expected an integer <= 64")
    out["reasoning_tokens"] = c.positive_ints(axes.get("reasoning_tokens", [0]), "axes.reasoning_tokens", minimum=0)
    ratios = axes.get("prune_ratio", [0.0])
    ratios = ratios if isinstance(ratios, list) else [ratios]
    good = []
    for i, r in enumerate(ratios):
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 <= r < 1:
            c.bad(f"axes.prune_ratio[{i}]", f"got {r!r}, expected a number in [0, 1)")
        else:
            good.append(float(r))
    out["prune_ratio"] = tuple(good) or (0.0,)
    if "distill_to" in axes:
        out["distill_to"] = c.strings(axes["distill_to"], "axes.distill_to")
    if "request_rate" in axes:
        rates = axes["request_rate"]
        rates = rates if isinstance(rates, list) else [rates]
        out["request_rate"] = tuple(r for r in (c.positive_number(r, f"axes.request_rate[{i}]")
                                                for i, r in enumerate(rates)) if r is not None) or None
    for key in ("eta_memory", "eta_link"):
        if eff.get(key) is not None:
            out[key] = c.positive_number(eff[key], f"efficiency.{key}", 1.0)
    reserve = srv.get("memory_reserve_fraction", defaults.memory_reserve_fraction)
    ok = isinstance(reserve, (int, float)) and not isinstance(reserve, bool) and 0 <= reserve < 1
    if not ok:
        c.bad("serving.memory_reserve_fraction", f"got {reserve!r}, expected a number in [0, 1)")
    out["memory_reserve_fraction"] = float(reserve) if ok else 0.0
    for key in ("kv_block_tokens", "prefill_chunk_tokens"):
        out[key] = (c.positive_ints(srv.get(key, getattr(defaults, key)), f"serving.{key}") or (1,))[0]
    streaming = srv.get("weight_streaming", defaults.weight_streaming)
    if not isinstance(streaming, bool):
        c.bad("serving.weight_streaming", f"got {streaming!r}, expected true or false")
    out["weight_streaming"] = bool(streaming)
    dq = srv.get("dequant_overhead_fraction", defaults.dequant_overhead_fraction)
    ok = isinstance(dq, (int, float)) and not isinstance(dq, bool) and 0 <= dq <= 10
    if not ok:
        c.bad("serving.dequant_overhead_fraction", f"got {dq!r}, expected a number in [0, 10]")
    out["dequant_overhead_fraction"] = float(dq) if ok else 0.0
    return out


def _fraction(c: _Checker, raw: dict, key: str, default: float, upper_open: bool = True) -> float:
    value = raw.get(key, default)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and 0 <= value and (value < 1 if upper_open else value <= 1)
    if not ok:
        c.bad(f"training.{key}", f"got {value!r}, expected a number in [0, 1{')' if upper_open else ']'}")
    return float(value) if ok else 0.0


def _operations_fields(c: _Checker, axes: dict, knobs: dict, defaults: SweepSpec) -> dict[str, Any]:
    """The region axis and the [operations] knobs (walls 16-18)."""
    out: dict[str, Any] = {}
    if "region" in axes:
        out["region"] = c.strings(axes["region"], "axes.region")
    pricing = knobs.get("pricing", defaults.pricing)
    if pricing not in PRICING:
        c.bad("operations.pricing", f"got {pricing!r}, expected one of {', '.join(PRICING)}")
    out["pricing"] = pricing
    cloud = knobs.get("cloud", defaults.cloud)
    if not isinstance(cloud, str) or not cloud:
        c.bad("operations.cloud", f"got {cloud!r}, expected a provider name or \"any\"")
    out["cloud"] = str(cloud)
    for key in ("service_life_years", "depreciation_years", "tco_horizon_years"):
        out[key] = c.positive_number(knobs.get(key, getattr(defaults, key)), f"operations.{key}") or 1.0
    for key in ("maintenance_fraction_per_year", "facility_capex_multiplier"):
        value = knobs.get(key, getattr(defaults, key))
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
        if not ok:
            c.bad(f"operations.{key}", f"got {value!r}, expected a number >= 0")
        out[key] = float(value) if ok else 0.0
    if knobs.get("shared_utilization") is not None:
        value = knobs["shared_utilization"]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1
        if not ok:
            c.bad("operations.shared_utilization", f"got {value!r}, expected a number in [0, 1)")
        out["shared_utilization"] = float(value) if ok else None
    cv = knobs.get("service_time_cv", defaults.service_time_cv)
    ok = isinstance(cv, (int, float)) and not isinstance(cv, bool) and math.isfinite(cv) and cv >= 0
    if not ok:
        c.bad("operations.service_time_cv", f"got {cv!r}, expected a number >= 0")
    out["service_time_cv"] = float(cv) if ok else 1.0
    return out


def _flag(c: _Checker, raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        c.bad(f"training.{key}", f"got {value!r}, expected true or false")
    return bool(value)


def _training_fields(c: _Checker, axes: dict, eff: dict, knobs: dict, defaults: SweepSpec) -> dict[str, Any]:
    """The training study's layout axes and knobs. ``gpus`` or ``dp`` sets the data-parallel size."""
    out: dict[str, Any] = {"cluster": c.names(axes, "cluster")}
    if "gpus" in axes and "dp" in axes:
        c.bad("axes.dp", "give axes.gpus (dp = gpus / (tp x pp x cp)) or axes.dp (gpus = dp x tp x pp x cp), "
                         "not both")
    if "dp" in axes:
        out["gpus"], out["dp"] = None, c.positive_ints(axes["dp"], "axes.dp")
    else:
        out["gpus"] = c.positive_ints(axes.get("gpus", list(defaults.gpus or ())), "axes.gpus")
    for key in ("tp", "pp", "cp", "ep", "microbatch", "global_batch", "virtual_stages"):
        out[key] = c.positive_ints(axes.get(key, list(getattr(defaults, key))), f"axes.{key}")
    zero = c.positive_ints(axes.get("zero_stage", list(defaults.zero_stage)), "axes.zero_stage", minimum=0)
    for i, z in enumerate(zero):
        if z > 3:
            c.bad(f"axes.zero_stage[{i}]", f"got {z}, expected 0, 1, 2 or 3 (3 = FSDP)")
    out["zero_stage"] = zero
    out["recompute"] = c.strings(axes.get("recompute", list(defaults.recompute)), "axes.recompute", RECOMPUTE)
    sp = axes.get("sequence_parallel", list(defaults.sequence_parallel))
    sp = sp if isinstance(sp, list) else [sp]
    if not sp or not all(isinstance(v, bool) for v in sp):
        c.bad("axes.sequence_parallel", f"got {sp!r}, expected a list of true/false")
    out["sequence_parallel"] = tuple(bool(v) for v in sp)
    if eff.get("eta_link") is not None:
        out["eta_link"] = c.positive_number(eff["eta_link"], "efficiency.eta_link", 1.0)
    out["dp_overlap_fraction"] = _fraction(c, knobs, "dp_overlap_fraction", defaults.dp_overlap_fraction, False)
    out["memory_reserve_fraction"] = _fraction(c, knobs, "memory_reserve_fraction", defaults.memory_reserve_fraction)
    out["pp_balance_tolerance"] = _fraction(c, knobs, "pp_balance_tolerance", defaults.pp_balance_tolerance, False)
    out["flash_attention"] = _flag(c, knobs, "flash_attention", defaults.flash_attention)
    out["dropout"] = _flag(c, knobs, "dropout", defaults.dropout)
    dp_sgd = knobs.get("dp_sgd", defaults.dp_sgd)
    if dp_sgd not in DP_SGD:
        c.bad("training.dp_sgd", f"got {dp_sgd!r}, expected one of {', '.join(DP_SGD)}")
    out["dp_sgd"] = dp_sgd if dp_sgd in DP_SGD else "none"
    for key in ("storage", "data_pipeline"):
        value = knobs.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            c.bad(f"training.{key}", f"got {value!r}, expected a catalog name")
        out[key] = value if isinstance(value, str) and value else None
    out["host_cores_per_node"] = (c.positive_ints(knobs.get("host_cores_per_node", defaults.host_cores_per_node),
                                                  "training.host_cores_per_node") or (1,))[0]
    out["tp_across_domains"] = _flag(c, knobs, "tp_across_domains", defaults.tp_across_domains)
    out["gradient_bytes_per_param"] = c.positive_number(
        knobs.get("gradient_bytes_per_param", defaults.gradient_bytes_per_param), "training.gradient_bytes_per_param",
        8.0) or 0.0
    if knobs.get("train_tokens") is not None:
        out["train_tokens"] = c.positive_number(knobs["train_tokens"], "training.train_tokens")
    restart = knobs.get("restart_time_s", defaults.restart_time_s)
    if isinstance(restart, bool) or not isinstance(restart, (int, float)) or not math.isfinite(restart) \
            or restart < 0:
        c.bad("training.restart_time_s", f"got {restart!r}, expected a number of seconds >= 0")
        restart = 0.0
    out["restart_time_s"] = float(restart)
    return out


def load_spec(path: str | Path | None = None) -> SweepSpec:
    """Read a TOML spec (the packaged default when ``path`` is None)."""
    path = Path(path) if path else DEFAULT_SPEC
    packaged = DEFAULT_SPEC.with_name(f"{path.name}.toml")
    if not path.exists() and len(path.parts) == 1 and path.suffix == "" and packaged.exists():  # `--spec serving`
        path = packaged
    source = f"sweep spec {path}"
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(source, [Problem(None, None, "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, [Problem(None, None, f"not valid TOML: {exc}")]) from None
    return parse_spec(raw, source)
