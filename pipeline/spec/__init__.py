"""The sweep spec (TOML): the study, its [axes], and one typed section per table of knobs.

``spec.<section>.<key>`` holds the value of the TOML key ``<section>.<key>`` (``spec.axes.batch``,
``spec.training.dp_sgd``, ``spec.output.dir``); the exception is ``spec.data``, which the training
study fills from its [training] table. Every value is checked at once by the rules in
``pipeline.spec.check``; a bad spec raises one ``InputError`` naming each bad key
(``axes.batch[0]: got 0, expected an integer > 0``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem
from pipeline.spec.axes import (RECOMPUTE, SERVING_AXES, SPECULATION, TRAINING_AXES, WORKLOADS, Axes, known_axes,
                                 read_axes)
from pipeline.spec.check import Checker
from pipeline.walls.expert_parallel import EXPERT_IMBALANCE_DEFAULT, EXPERT_IMBALANCE_REDUNDANT_DEFAULT
from pipeline.spec.sections import (
    COMPRESSION_LEVELS,
    COMPRESSIONS,
    DP_SGD,
    HARDWARE_FILTERS,
    MODEL_FILTERS,
    PRICING,
    TRAINING_DATA_KEYS,
    Analysis,
    Data,
    Efficiency,
    Filters,
    Operations,
    Output,
    Serving,
    Software,
    Training,
    keys,
    read,
    read_filters,
)

__all__ = ["COMPRESSION_LEVELS", "COMPRESSIONS", "DEFAULT_SPEC", "DP_SGD", "HARDWARE_FILTERS", "MODEL_FILTERS",
           "OPERATIONS_KNOBS", "PRICING", "RECOMPUTE", "SERVING_AXES", "STUDIES", "TRAINING_AXES", "TRAINING_KNOBS",
           "WORKLOADS", "Analysis", "Axes", "Data", "Efficiency", "Filters", "Operations", "Output", "Serving",
           "Software", "SweepSpec", "Training", "load_spec", "parse_spec"]

DEFAULT_SPEC = Path(__file__).with_name("specs") / "default.toml"
STUDIES = ("node", "serving", "training")
TABLES = ("study", "axes", "filters", "efficiency", "software", "output", "serving", "training", "operations",
          "analysis", "overrides", "data")
# The [training] table's keys in the manifest's order (two sections fill from it: Training and Data).
TRAINING_KNOBS = ("dp_overlap_fraction", "memory_reserve", "memory_reserve_fraction", "allocator", "flash_attention", "dropout", "dp_sgd",
                  "lm_head_on_last_stage", "mtp_layers", "fp8_params", "fp4_params", "fp8_dot_product_attention",
                  "activation_func_fp8_input_store", "gradient_accumulation_fusion", "cpu_offloading_num_layers",
                  "cross_entropy_loss_fusion", "embedding_and_loss_in_pipeline_split",
                  "storage", "data_pipeline", "host_cores_per_node", "gradient_bytes_per_param",
                  "pp_balance_tolerance", "tp_across_domains", "train_tokens", "restart_time_s")
TRAINING_OPT_IN = {"mtp_layers": 0, "fp8_params": False, "fp4_params": False, "fp8_dot_product_attention": False,
                   "activation_func_fp8_input_store": False, "gradient_accumulation_fusion": True,
                   "cpu_offloading_num_layers": 0, "cross_entropy_loss_fusion": False,
                   "embedding_and_loss_in_pipeline_split": False, "memory_reserve": "physical",
                   "allocator": "caching"}
OPERATIONS_KNOBS = keys(Operations)
# training.memory_reserve_fraction's default: a spec that sets another share without training.memory_reserve gets the
# flat reserve of that share (as before the physical reserve); 0.10 or none, the physical reserve
RESERVE_FRACTION = 0.10
# serving axes the run id hashes only when some value differs from its default (older specs keep their ids)
OPT_IN = {"prefix_hit_rate": (0.0,), "lora_rank": (0,), "lora_adapters": (1,), "ep": (1,), "cluster": None,
          "prefill_workers": (0,), "decode_workers": (0,), "redundant_experts": (0,), "concurrency": None}


@dataclass(frozen=True)
class SweepSpec:
    study: str = "node"
    axes: Axes = field(default_factory=Axes)
    filters: Filters = field(default_factory=Filters)
    efficiency: Efficiency = field(default_factory=Efficiency)
    software: Software = field(default_factory=Software)
    serving: Serving = field(default_factory=Serving)
    training: Training = field(default_factory=Training)
    data: Data = field(default_factory=Data)
    operations: Operations = field(default_factory=Operations)
    analysis: Analysis = field(default_factory=Analysis)
    output: Output = field(default_factory=Output)
    overrides: dict[str, float] = field(default_factory=dict)  # what-if: "table.column" -> value in its unit
    source: str = "built-in"

    def as_dict(self) -> dict[str, Any]:
        """The spec as the manifest records it (and the run id hashes): keep its content stable."""
        a = self.axes
        out: dict[str, Any] = {
            "study": self.study,
            "axes": {"hardware": _all(a.hardware), "model": _all(a.model), "compute_dtype": list(a.compute_dtype),
                     "batch": list(a.batch), "seq_len": list(a.seq_len), "workload": list(a.workload)},
            "filters": {"hardware": {k: list(v) for k, v in self.filters.hardware.items()},
                        "model": {k: list(v) for k, v in self.filters.model.items()}},
            "efficiency": {"framework": self.efficiency.framework, "eta_compute": self.efficiency.eta_compute,
                           **({"compute_model": self.efficiency.compute_model}
                              if self.efficiency.compute_model != COMPUTE_MODEL[self.study] else {})},
            "software": dataclasses.asdict(self.software),
            "output": dataclasses.asdict(self.output),
        }
        if self.overrides:
            out["overrides"] = dict(self.overrides)
        if a.region is not None:
            out |= {"region": list(a.region), "operations": dataclasses.asdict(self.operations)}
        d = self.data
        if self.study == "node" and (d.devices, d.cluster, d.optimizer_sharded) != (1, None, False):
            # only off the one-device default: specs written before these keep their run ids
            out["data_parallel"] = {"devices": d.devices, "cluster": d.cluster,
                                    "optimizer_sharded": d.optimizer_sharded}
        if self.study == "training":
            knobs = dataclasses.asdict(self.training) | dataclasses.asdict(self.data)
            # lora_rank only when some rank > 0: specs written before the axis keep their run ids
            out |= {"training_axes": {"cluster": _all(a.cluster),
                                      **{k: _list(getattr(a, k)) for k in TRAINING_AXES
                                         if k != "cluster" and (k != "lora_rank" or a.lora_rank != (0,))}},
                    # knobs added later appear only when they leave their default (a flag that defaults to
                    # true, only when false): specs written before them keep their run ids
                    "training": {k: knobs[k] for k in TRAINING_KNOBS
                                 if (not _implied_reserve(self.training) if k == "memory_reserve" else
                                     k not in TRAINING_OPT_IN or knobs[k] != TRAINING_OPT_IN[k])}
                    | {"eta_link": self.efficiency.eta_link}}
        if self.study == "serving":
            out |= {"serving_axes": {"precision_tied": a.precision_tied,
                                     "weight_dtype": list(a.weight_dtype or a.compute_dtype),
                                     "kv_dtype": list(a.kv_dtype or a.compute_dtype),
                                     **{k: _list(getattr(a, k)) for k in SERVING_AXES
                                        if k not in ("precision", "weight_dtype", "kv_dtype", "dataset", *SPECULATION,
                                                     *OPT_IN)},
                                     # only when given: specs without them keep their run ids
                                     **({} if a.dataset is None else {"dataset": list(a.dataset)}),
                                     **({k: _list(getattr(a, k)) for k in SPECULATION}
                                        if a.draft_model is not None or any(a.spec_draft_tokens) else {}),
                                     **{k: _list(getattr(a, k)) for k, off in OPT_IN.items()
                                        if getattr(a, k) != off}},
                    "serving": {"eta_memory": self.efficiency.eta_memory, "eta_link": self.efficiency.eta_link,
                                **{k: getattr(self.serving, k) for k in (
                                    "memory_fraction", "kv_block_tokens", "weight_streaming",
                                    "prefill_chunk_tokens", "dequant_overhead_fraction")},
                                **({} if self.serving.expert_imbalance == EXPERT_IMBALANCE_DEFAULT
                                   else {"expert_imbalance": self.serving.expert_imbalance}),
                                **({} if self.serving.expert_imbalance_redundant == EXPERT_IMBALANCE_REDUNDANT_DEFAULT
                                   else {"expert_imbalance_redundant": self.serving.expert_imbalance_redundant}),
                                **({"dual_batch_overlap": True} if self.serving.dual_batch_overlap else {}),
                                **({"attention_dp_unaligned": True} if self.serving.attention_dp_unaligned else {}),
                                **({"kv_read_per_query_head": True} if self.serving.kv_read_per_query_head
                                   else {}),
                                **({} if self.serving.scheduler_steps == 1
                                   else {"scheduler_steps": self.serving.scheduler_steps}),
                                **({} if self.serving.weight_effective_bits is None
                                   else {"weight_effective_bits": self.serving.weight_effective_bits})}}
        return out


# Each study's default efficiency.compute_model (issue 12 item 2). Serving and training price each GEMM by its
# shape from kernel microbenchmarks: at catalog η that halves the TTFT, step-time and MFU errors of
# `mlsys validate` (CHANGELOG 2026-12-03); on the node study it cuts samples_per_s 18 % -> 16.9 % (CHANGELOG
# "the kernel compute model is the node default too"). CNNs keep the profile η under either model.
COMPUTE_MODEL = {"node": "kernel", "serving": "kernel", "training": "kernel"}


def _efficiency(raw: dict[str, Any], efficiency: Efficiency, study: str) -> Efficiency:
    """The study's default compute model where the spec does not name one."""
    if "compute_model" in (raw.get("efficiency") or {}):
        return efficiency
    return dataclasses.replace(efficiency, compute_model=COMPUTE_MODEL.get(study, efficiency.compute_model))


def _implied_reserve(training: Training) -> bool:
    """Whether memory_reserve_fraction says which reserve a spec takes, so the run id need not hash memory_reserve
    (specs written before it keep their ids): 0.10, the old default, with the physical reserve; any other share with
    the flat one (``parse_spec``: a spec that sets a share of its own without memory_reserve gets the flat reserve)."""
    return (training.memory_reserve == "physical") == (training.memory_reserve_fraction == RESERVE_FRACTION)


def _all(names: tuple[str, ...] | None) -> list[str] | str:
    return list(names) if names else "all"


def _list(values: tuple | None) -> list | None:
    return None if values is None else list(values)


def parse_spec(raw: dict[str, Any], source: str = "sweep spec") -> SweepSpec:
    """Check a spec dictionary (as read from TOML) and return a ``SweepSpec``."""
    c = Checker()
    c.unknown_keys(raw, TABLES, "")
    study = raw.get("study", "node")
    if study not in STUDIES:
        c.bad("study", f"got {study!r}, expected one of {', '.join(STUDIES)}")
    serving, training = study == "serving", study == "training"
    axes = read_axes(c.table(raw, "axes", known_axes(study)), study)
    filters = read_filters(c.table(raw, "filters", ("hardware", "model")))
    eta_keys = ("framework", "eta_compute", "compute_model", *{"serving": ("eta_memory", "eta_link"),
                                              "training": ("eta_link",),
                                              # the node study prices attention by the kernel fit (walls.compute)
                                              "node": ("attention_kernel",)}.get(study, ()))
    spec = SweepSpec(
        study=study, axes=axes, filters=filters,
        efficiency=_efficiency(raw, read(Efficiency, c.table(raw, "efficiency", eta_keys), eta_keys), study),
        software=read(Software, c.table(raw, "software", keys(Software))),
        output=read(Output, c.table(raw, "output", keys(Output))),
        operations=read(Operations, c.table(raw, "operations", keys(Operations))),
        analysis=read(Analysis, c.table(raw, "analysis", keys(Analysis))),
        source=source)
    # [serving] and [training] are read by their study only; a node study's [data] feeds walls 8, 9
    if serving:
        spec = dataclasses.replace(spec, serving=read(Serving, c.table(raw, "serving", keys(Serving))))
    if training:
        table = c.table(raw, "training", TRAINING_KNOBS)
        knobs = read(Training, table)
        stated = raw.get("training") if isinstance(raw.get("training"), dict) else {}
        if "memory_reserve" not in stated and knobs.memory_reserve_fraction != RESERVE_FRACTION:
            knobs = dataclasses.replace(knobs, memory_reserve="fraction")  # a share of its own: the flat reserve
        spec = dataclasses.replace(spec, training=knobs, data=read(Data, table, TRAINING_DATA_KEYS))
    if study == "node":
        spec = dataclasses.replace(spec, data=read(Data, c.table(raw, "data", keys(Data))))
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        c.bad("overrides", f"got {overrides!r}, expected a table of \"table.column\" = \"value unit\"")
    else:
        from pipeline.catalogs import overrides as what_if

        try:
            spec = dataclasses.replace(spec, overrides=what_if.parse(
                {str(k): str(v) for k, v in overrides.items()}, "overrides"))
        except InputError as exc:
            c.problems += [dataclasses.replace(q, column=f"overrides.{q.column}" if q.column else "overrides")
                           for q in exc.problems]
    if c.problems:
        raise InputError(source, c.problems)
    return spec


def packaged_specs() -> list[str]:
    """The names ``--spec`` takes without a path: the packaged ``pipeline/spec/specs/*.toml``."""
    return sorted(p.stem for p in DEFAULT_SPEC.parent.glob("*.toml"))


def _not_found(path: Path) -> str:
    """A missing spec file: what ``--spec`` takes, and the packaged name a typo was closest to."""
    from pipeline.errors import did_you_mean

    names = packaged_specs()
    hint = did_you_mean(path.stem, names) if len(path.parts) == 1 else ""
    return f"file not found; expected a TOML file or a packaged spec name ({', '.join(names)}){hint}"


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
        raise InputError(source, [Problem(None, None, _not_found(path))]) from None
    except IsADirectoryError:
        raise InputError(source, [Problem(None, None, "is a folder; expected a TOML file")]) from None
    except UnicodeDecodeError as exc:
        raise InputError(source, [Problem(None, None, f"not a text file (byte {exc.start} is not UTF-8); "
                                                      "expected a TOML file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, [Problem(None, None, f"not valid TOML: {exc}")]) from None
    return parse_spec(raw, source)
