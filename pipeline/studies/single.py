"""One configuration from the same formulas as a sweep, without building a cross join.

The sides of the whole catalog (every accelerator or cluster x precision, every model) are
built once per catalog content and spec settings, by the studies' own builders, and kept as
Python rows; a hardware row a side rule drops keeps the rule's reason. One configuration is
then a hardware row, a model row and its axis values; the study's model and pair rules are
evaluated on that one row (their polars definitions, on a one-row frame); the columns a study
computes on its model side, its under-load fixed point and its node reference come from the
studies' own steps on plain values; and the study's formulas run compiled to one Python
function (``formulas.compile_scalar``). The answer equals the sweep's row
(tests/studies/test_single.py).

``answer`` returns None for what it does not cover (an axis with several values, filters,
overrides, distillation, a named dataset, a name not in the catalogs): the caller then runs the sweep path,
which also reports unknown names.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, fields, replace
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from pipeline import formulas, scalar
from pipeline.catalogs.load import Catalogs
from pipeline.spec import SweepSpec
from pipeline.spec.names import resolve_names
from pipeline.studies import node, node_graphs, operations, serving, sides, training
from pipeline.studies.efficiency import with_window_attention
from pipeline.studies.sides import Rule, Side
from pipeline.units import expression_library

if TYPE_CHECKING:  # annotations only: pint loads with pipeline.units
    import pint

DROPPED = "_dropped"  # a hardware row's first broken rule (None: kept)


@dataclass
class Answer:
    """One configuration's rows (one per node step), the values and units of the inputs its
    formulas read (for wall 22's what-ifs), and the reason it was dropped (None: kept)."""
    study: str
    rows: list[dict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    units: dict[str, pint.Unit | None] = field(default_factory=dict)
    registry: dict = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    dropped: str | None = None

    def frame(self) -> pl.DataFrame:
        """The rows as the sweep's frame: its columns, in order, with its dtypes."""
        dtypes = output_dtypes(self.study, tuple(self.columns))
        return pl.from_dicts(self.rows, schema=dtypes)


@cache
def output_dtypes(study: str, columns: tuple[str, ...]) -> dict[str, pl.DataType]:
    """The sweep's dtype of each output column: the output schema's; serving's per-operator
    breakdown holds FLOPs, bytes and times (Float64) and bound words (Categorical)."""
    declared = STUDIES[study].SCHEMA.to_schema().columns
    return {c: (declared[c].dtype.type if c in declared else
                pl.Categorical if c.endswith("_bound") else pl.Float64) for c in columns}


# -- the catalog's sides, built once ------------------------------------------------------------

@dataclass
class CatalogSides:
    """Every hardware row of a study (by its key columns, with ``DROPPED``), every shaped model
    (by name), the units of both, and the spec-dependent rules."""
    hardware: pl.DataFrame
    keys: dict[tuple, int]
    models: dict[str, dict]
    model_units: dict[str, pint.Unit | None]
    units: dict[str, pint.Unit | None]  # every input column of the study's plan
    rules: list[Rule]  # the model rules, then the pair rules: a row counts under the first it breaks
    load_units: dict[str, pint.Unit | None]  # serving: with wall 7's columns
    sequence_units: dict[str, pint.Unit | None] = field(default_factory=dict)  # training: per-sequence FLOPs
    known_framework: bool = True  # the spec's efficiency.framework is a profile's (else the sweep path names it)
    rows: dict[tuple, dict] = field(default_factory=dict)
    plans: dict[tuple, formulas.ScalarPlan] = field(default_factory=dict)

    def plan(self, units: dict, outputs: list[str], registry: dict, rebind: dict | None = None
             ) -> formulas.ScalarPlan:
        """``formulas.compile_scalar`` kept with these sides (``units``: one of their dicts), so
        that a call finds it without comparing units."""
        key = (id(units), tuple(outputs), id(registry), tuple(sorted((rebind or {}).items())))
        found = self.plans.get(key)
        if found is None:
            found = self.plans[key] = formulas.compile_scalar(units, outputs, registry, rebind=rebind)
        return found

    def hardware_row(self, key: tuple) -> dict | None:
        row = self.rows.get(key)
        if row is None and key in self.keys:
            row = self.rows[key] = self.hardware.row(self.keys[key], named=True)
        return row


KEYS = {"node": ("hardware", "compute_dtype", "workload"),
        "serving": ("hardware", "compute_dtype", "weight_dtype", "kv_dtype"),
        "training": ("cluster", "compute_dtype")}
STUDIES = {"node": node, "serving": serving, "training": training}
_SIDES: OrderedDict[tuple, CatalogSides] = OrderedDict()
CACHED_SETTINGS = 8  # spec settings (and catalog contents) whose sides are kept


def catalog_sides(study: str, catalogs: Catalogs, spec: SweepSpec) -> CatalogSides:
    """The sides of every catalog row for ``spec``'s settings (all but its axes; its region
    axis included), built once and kept (least recently used out)."""
    settings = tuple((f.name, repr(getattr(spec, f.name))) for f in fields(spec) if f.name not in ("axes", "source"))
    key = (study, tuple(catalogs.hashes.items()), spec.axes.region, settings)
    found = _SIDES.get(key)
    if found is None:
        found = _SIDES[key] = _build(study, catalogs, spec)
        while len(_SIDES) > CACHED_SETTINGS:
            _SIDES.popitem(last=False)
    else:
        _SIDES.move_to_end(key)
    return found


def _build(study: str, catalogs: Catalogs, spec: SweepSpec) -> CatalogSides:
    precisions = catalogs.precisions
    computable = tuple(precisions.filter(pl.col("peak_column").is_not_null())["name"].to_list())
    every = replace(spec.axes, hardware=None, model=None, compute_dtype=computable, cluster=None,
                    workload=("inference", "training"), weight_dtype=tuple(precisions["name"].to_list()),
                    kv_dtype=tuple(precisions["name"].to_list()), precision_tied=False)
    spec = replace(spec, axes=every)
    module = STUDIES[study]
    side: Side = (training.cluster_side if study == "training" else module.hardware)(catalogs, spec)
    frame = side.frame.with_columns(_reason(side.rules).alias(DROPPED))
    frame, ops_units = operations.attach(frame, catalogs, spec, "accelerator" if study == "training" else "hardware")
    shaped, model_units = sides.shaped_models(catalogs.models, module.SHAPED)
    if study == "node":  # the framework's graphed engines (node._model_side's)
        shaped, model_units = node_graphs.with_graph_engine(shaped, model_units, catalogs, slots=True)
    elif study == "serving":  # the models whose own code windows attention's reads (serving._model_side's)
        shaped, model_units = with_window_attention(shaped, model_units, catalogs.efficiency_profiles)
    model_units = model_units | module.AXIS_UNITS
    units = side.units | ops_units | model_units
    model_rules = training.model_rules(spec) if study == "training" else module.MODEL_RULES
    pair_rules = training.pair_rules(spec) if study == "training" else getattr(module, "PAIR_RULES", [])
    if study == "node":
        units |= {f"{c}_per_log_seq": _seq_units(model_units)[c] for c in node.SEQ_DEPENDENT}
    elif study == "training":
        per_sequence = formulas.compile_scalar(training.per_sequence_units(model_units), training.PER_SEQUENCE,
                                               training.FORMULAS).units
        model_units = model_units | {"seq_len": training.per_sequence_units({})["seq_len"]}
        units |= per_sequence | {"seq_len": model_units["seq_len"]}
        units |= training.NODE_REFERENCE_UNITS
    keys = {tuple(k): i for i, k in enumerate(frame.select(pl.col(KEYS[study]).cast(pl.String)).iter_rows())}
    models = {row["model"]: row for row in shaped.iter_rows(named=True)}
    frameworks = set(catalogs.efficiency_profiles["framework"].to_list()) | {"default"}
    return CatalogSides(frame, keys, models, model_units, units, [*model_rules, *pair_rules],
                        units | serving.LOAD_UNITS if study == "serving" else units,
                        training.per_sequence_units(model_units) if study == "training" else {},
                        spec.efficiency.framework in frameworks)


def _reason(rules: list[Rule]) -> pl.Expr:
    """The first rule a row breaks (null: none)."""
    out = pl.lit(None, dtype=pl.String)
    for rule in reversed(rules):
        out = pl.when(rule.verdict()).then(pl.lit(rule.reason)).otherwise(out)
    return out


def _seq_units(model_units: dict) -> dict:
    return formulas.compile_scalar(model_units, node.SEQ_DEPENDENT).units


def broken(rules: list[Rule], values: dict) -> str | None:
    """The first of ``rules`` the row ``values`` breaks (None: none), by the rules' own
    expressions on a one-row frame of the columns they read. Each rule's verdict is kept by the
    values (and types) of its own columns, so a rule is evaluated again only on new values; the
    rules not yet known before the first known broken one are evaluated together."""
    known, pending = [], []
    for rule in rules:
        names = _roots(rule)
        key = (id(rule), *((type(v), v) for v in (values.get(n) for n in names)))
        found = _VERDICTS.get(key)
        if found is None or found[0] is not rule:
            known.append(None)
            pending.append((rule, key))
        else:
            known.append(found[1])
            if found[1]:
                break
    if pending:
        names = sorted({n for rule, _ in pending for n in _roots(rule)})
        verdicts = iter(pl.DataFrame({n: [values.get(n)] for n in names}).select(
            rule.verdict().alias(str(i)) for i, (rule, _) in enumerate(pending)).row(0))
        if len(_VERDICTS) > 65536:
            _VERDICTS.clear()
        for i, bad in enumerate(known):
            if bad is None:
                rule, key = pending.pop(0)
                known[i] = bool(next(verdicts))
                _VERDICTS[key] = (rule, known[i])  # the entry keeps ``rule`` alive: its id is not reused
    return next((rule.reason for rule, bad in zip(rules, known, strict=False) if bad), None)


_VERDICTS: dict[tuple, tuple] = {}  # a rule's verdict on the values of its columns, kept
_ROOTS: dict[int, tuple] = {}


def _roots(rule: Rule) -> list[str]:
    """The columns ``rule`` reads (kept per rule, which the entry keeps alive)."""
    found = _ROOTS.get(id(rule))
    if found is None or found[0] is not rule:
        found = _ROOTS[id(rule)] = (rule, sorted(set(rule.bad.meta.root_names())))
    return found[1]


# -- one configuration ---------------------------------------------------------------------------

def one_value(values: tuple | None) -> object | None:
    """The one value of an axis (None: absent), or ``MANY`` when it has several."""
    if values is None:
        return None
    return values[0] if len(values) == 1 else MANY


MANY = object()


def answer(spec: SweepSpec, catalogs: Catalogs, breakdown: bool = False) -> Answer | None:
    """The rows of ``spec``'s one configuration (every axis a single value) by the study's
    formulas on plain values; None when the sweep path must answer (see the module's note).
    Names are resolved as people type them (``pipeline.spec.names``)."""
    spec = resolve_names(spec, catalogs)
    a = spec.axes
    if spec.overrides or spec.filters.hardware or spec.filters.model or a.distill_to or a.dataset or (
            spec.study == "serving" and a.cluster):  # a named cluster: its rows come from the sweep path
        return None
    read = [n for n in _AXES[spec.study] if not (n == "gpus" and a.dp is not None)]  # dp given: gpus unread
    if any(one_value(getattr(a, name)) is MANY for name in read):
        return None
    return _ANSWER[spec.study](spec, catalogs, breakdown)


_AXES = {"node": ("hardware", "model", "compute_dtype", "batch", "seq_len", "workload", "region"),
         "serving": ("hardware", "model", "compute_dtype", "weight_dtype", "kv_dtype", "tp", "pp", "batch",
                     "prompt_len", "output_len", "reasoning_tokens", "request_rate", "replicas", "prune_ratio",
                     "prefix_hit_rate", "lora_rank", "lora_adapters", "ep", "region"),
         "training": ("cluster", "model", "compute_dtype", "seq_len", "gpus", "dp", "tp", "pp", "cp", "ep",
                      "microbatch", "global_batch", "virtual_stages", "zero_stage", "recompute",
                      "sequence_parallel", "region")}


def _parts(spec: SweepSpec, catalogs: Catalogs, key: tuple, model: str | None
           ) -> tuple[CatalogSides, dict, dict] | None:
    """The catalog's sides and the configuration's hardware and model rows (None: a name the
    catalogs do not hold, or no name given)."""
    if model is None or any(k is None for k in key):
        return None
    found = catalog_sides(spec.study, catalogs, spec)
    if not found.known_framework:
        return None
    hardware, shaped = found.hardware_row(key), found.models.get(model)
    if hardware is None or shaped is None:
        return None
    return found, hardware, shaped


def _finish(study: str, found: CatalogSides, inputs: list[dict], units: dict, registry: dict,
            wanted: list[str], nulls: list[str], columns: list[str]) -> Answer:
    """The study's formulas on each row of inputs; ``nulls``: columns that do not apply (null)."""
    plan = found.plan(units, wanted, registry)
    rows = [plan(values) | dict.fromkeys(nulls) for values in inputs]
    return Answer(study, rows, inputs, units, registry, columns)


def _node(spec: SweepSpec, catalogs: Catalogs, breakdown: bool) -> Answer | None:
    a = spec.axes
    workload = one_value(a.workload)
    parts = _parts(spec, catalogs, (one_value(a.hardware), one_value(a.compute_dtype), workload), one_value(a.model))
    if parts is None:
        return None
    found, hardware, model = parts
    if hardware[DROPPED] is not None:
        return Answer("node", dropped=hardware[DROPPED])
    seq_len = None if model["model_type"] == "cnn" else one_value(a.seq_len)
    inputs = []
    for step in _steps(model["model_type"], workload):
        values = hardware | model | node.ONE_DEVICE | {"step": step, "batch": one_value(a.batch), "seq_len": seq_len,
                                                       "workload": workload}
        reason = broken(found.rules, values)
        if reason is not None:
            return Answer("node", dropped=reason)
        inputs.append(values | _per_log_seq(values, found))
    region = a.region is not None
    wanted = [c for c in node.OUTPUTS if region or c not in node.OPERATIONS]
    nulls = [] if region else [c for c in node.OUTPUTS if c in node.OPERATIONS]
    return _finish("node", found, inputs, found.units, formulas.REGISTRY, wanted, nulls, node.OUTPUTS)


@cache
def _step_table() -> tuple[tuple[str, str, str], ...]:
    return tuple(node.STEPS.iter_rows())


def _steps(model_type: str, workload: str) -> list[str]:
    """The steps a workload runs for a kind of model, in order (node.STEPS)."""
    return [step for kind, work, step in _step_table() if kind == model_type and work == workload]


def _per_log_seq(values: dict, found: CatalogSides) -> dict:
    """node._per_log_seq on one row: the step's sequence-dependent terms at s (1 +- 1/4)."""
    lengths = _seq_lengths()(values)
    up, down = (found.plan(found.model_units, node.SEQ_DEPENDENT, formulas.REGISTRY, {"seq_len": name})(
        values | lengths) for name in ("_s_up", "_s_dn"))
    return _seq_slopes()({f"{c}{s}": v for s, part in (("__sup", up), ("__sdn", down)) for c, v in part.items()})


@cache
def _seq_lengths():
    with expression_library(scalar):
        s = scalar.col("seq_len")
        return scalar.compile_function({"_s_up": s * node.SEQ_UP, "_s_dn": s * node.SEQ_DOWN})


@cache
def _seq_slopes():
    with expression_library(scalar):
        return scalar.compile_function({f"{c}_per_log_seq": node.per_log_seq(scalar.col(f"{c}__sup"),
                                                                           scalar.col(f"{c}__sdn"))
                                        for c in node.SEQ_DEPENDENT})


def _serving(spec: SweepSpec, catalogs: Catalogs, breakdown: bool) -> Answer | None:
    a = spec.axes
    if a.draft_model is not None or any(k > 0 for k in a.spec_draft_tokens):  # speculation: the sweep path
        return None
    if any(x > 0 for x in (*a.prefill_workers, *a.decode_workers)):  # disaggregated: the sweep path
        return None
    compute = one_value(a.compute_dtype)
    key = (one_value(a.hardware), compute, one_value(a.weight_dtype) or compute, one_value(a.kv_dtype) or compute)
    parts = _parts(spec, catalogs, key, one_value(a.model))
    if parts is None:
        return None
    found, hardware, model = parts
    if hardware[DROPPED] is not None:
        return Answer("serving", dropped=hardware[DROPPED])
    axes = {name: (None if (v := one_value(getattr(a, name))) is None else
                   float(v) if dtype == pl.Float64 else int(v)) for name, (_, dtype) in serving.AXES.items()}
    values = hardware | model | axes | {"teacher": model["model"], "teacher_params_computed": model["params_computed"],
                                        "workload": "inference",
                                        "weight_density": serving.weight_density(axes["prune_ratio"])}
    values |= {name: None for name in serving.SPREAD}  # no dataset: lengths from the axes, no spread
    reason = broken(found.rules, values)
    if reason is not None:
        return Answer("serving", dropped=reason)
    under_load, units = axes["request_rate"] is not None or axes["concurrency"] is not None, found.units
    if under_load:
        values |= serving.under_load_values(values, units)
        units = found.load_units
    region = a.region is not None
    extra = serving.BREAKDOWN if breakdown else []
    wanted = [c for c in serving.OUTPUTS if (region or c not in serving.OPERATIONS)
              and (under_load or c not in serving.LOAD) and c not in serving.speculative.NULL_WITHOUT
              and c not in serving.disaggregated.NULL_WITHOUT] + extra
    nulls = [c for c in serving.OUTPUTS if c not in wanted]
    return _finish("serving", found, [values], units, serving.FORMULAS, wanted, nulls, serving.OUTPUTS + extra)


def _training(spec: SweepSpec, catalogs: Catalogs, breakdown: bool) -> Answer | None:
    a = spec.axes
    if a.hardware is not None:  # clusters chosen by accelerator: the sweep path filters them
        return None
    parts = _parts(spec, catalogs, (one_value(a.cluster), one_value(a.compute_dtype)), one_value(a.model))
    if parts is None:
        return None
    found, hardware, model = parts
    if hardware[DROPPED] is not None:
        return Answer("training", dropped=hardware[DROPPED])
    layout = {name: one_value(getattr(a, name)) for name in ("tp", "pp", "cp", "ep", "microbatch", "global_batch",
                                                          "virtual_stages", "zero_stage", "recompute",
                                                          "sequence_parallel", "lora_rank")}
    group = layout["tp"] * layout["pp"] * layout["cp"]
    if a.dp is None:
        layout["gpus"] = one_value(a.gpus)
        layout["dp"], divides = training.data_parallel_ranks(layout["gpus"], group)
    else:
        layout["dp"], divides = one_value(a.dp), True
        layout["gpus"] = layout["dp"] * group
    # no data-parallel rank (tp x pp x cp above gpus): no microbatch count (polars: null); the gpus rule,
    # listed before the microbatch rule, drops the row
    counted = training.whole_batches(layout["global_batch"], layout["dp"], layout["microbatch"]) if layout["dp"] \
        else (None, False)
    layout["num_microbatches"], whole = counted
    values = model | {"seq_len": one_value(a.seq_len)}
    values |= found.plan(found.sequence_units, training.PER_SEQUENCE, training.FORMULAS, _ONE_DEVICE)(
        values | {"_one": 1.0})
    values |= layout | {"_divides": divides, "_whole_batches": whole, "workload": "training"}
    values = hardware | values
    reason = broken(found.rules, values)
    if reason is not None:
        return Answer("training", dropped=reason)
    values |= {c: float(values[c]) for c in training.LAYOUT}
    values, units = training.node_reference_values(values, found.units), found.units
    region = a.region is not None
    wanted = [c for c in training.OUTPUTS if region or c not in training.OPERATIONS]
    nulls = [c for c in training.OUTPUTS if c not in wanted]
    return _finish("training", found, [values], units, training.FORMULAS, wanted, nulls, training.OUTPUTS)


_ONE_DEVICE = {name: "_one" for name in training.ONE_DEVICE}  # training._per_sequence's tp = 1, no pruning
_ANSWER = {"node": _node, "serving": _serving, "training": _training}
