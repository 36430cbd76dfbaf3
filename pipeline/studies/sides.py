"""The two sides of every study's configuration space, and the one builder of each.

A space is a hardware side (accelerator or cluster x compute_dtype x workload, with its
peak FLOP/s, efficiencies and the spec's knobs) joined on workload with a model side
(model x the study's axes). Both sides are small and built eagerly; their join, the cross
product, stays lazy and is only ever streamed.

Rows that cannot run are dropped by rules (``Rule``): on either side, or on pairs of sides
(a layout against a scale-up domain). ``apply_rules`` counts each drop as the rows it
removes from the full product; a row with several faults counts once, under the first rule
it breaks: hardware rules, then model rules, then pair rules, each in its listed order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from pipeline import formulas, walls  # noqa: F401  (registers the formulas)
from pipeline.catalogs import collective_fits, custom_allreduce
from pipeline.catalogs.io import schema_units
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.schemas import PEAK_COLUMNS
from pipeline.errors import InputError, Problem, UnknownNameError
from pipeline.spec import SweepSpec
from pipeline.studies import operations
from pipeline.studies.efficiency import (
    FRAMEWORK_TERMS,
    FRAMEWORK_UNITS,
    eta_table,
    framework_source,
    framework_table,
    memory_fraction_table,
)
from pipeline.studies.fabric_fits import allreduce_fits
from pipeline.studies.grouped import grouped_join
from pipeline.studies.input_pipeline import input_pipeline
from pipeline.studies.kernels import (KERNEL_UNITS, framework_multiplier, kernel_table, measured_memory_fraction,
                                      named_attention_kernel)
from pipeline.studies.knobs import KNOBS, knob_column
from pipeline.studies.paired import paired
from pipeline.units import unit

if TYPE_CHECKING:  # annotations only: pint loads with pipeline.units
    import pint

# -- drop rules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Rows that cannot run: ``reason`` (the manifest's key) and ``bad``, true on such a row.
    A null verdict (a figure is missing) counts as ``if_null``."""
    reason: str
    bad: pl.Expr
    if_null: bool = True

    def verdict(self) -> pl.Expr:
        return self.bad.fill_null(self.if_null)


def apply_rules(frame: pl.DataFrame, rules: Iterable[Rule], weight: str | None = None
                ) -> tuple[pl.DataFrame, dict[str, int]]:
    """``frame`` without the rows a rule rejects, and the rows dropped per reason, each row
    counted ``weight`` times (the column of how many rows of the full product it stands for;
    None: once). A row with several faults counts once, under the first rule it breaks."""
    rules, dropped = list(rules), {}
    if not rules:
        return frame.filter(pl.lit(True)), dropped
    first = pl.when(rules[0].verdict()).then(pl.lit(0, pl.UInt32))  # the first rule each row breaks (null: none)
    for i, rule in enumerate(rules[1:], 1):
        first = first.when(rule.verdict()).then(pl.lit(i, pl.UInt32))
    numbered = frame.with_columns(_rule=first, _w=pl.lit(1) if weight is None else pl.col(weight))
    counts = dict(numbered.filter(pl.col("_rule").is_not_null()).group_by("_rule").agg(pl.col("_w").sum()).iter_rows())
    for i, rule in enumerate(rules):
        dropped[rule.reason] = dropped.get(rule.reason, 0) + int(counts.get(i, 0))
    kept = pl.col("_rule").is_null()
    return numbered.filter(kept).drop("_rule", "_w"), dropped


# Rules of more than one study: a missing datasheet figure, a profile that matches nothing,
# a model a study cannot run, a layout its model or hardware cannot take.
NO_BANDWIDTH = Rule("hardware has no published memory bandwidth", pl.col("memory_bandwidth_bytes_per_s").is_null())
NO_PEAK = Rule("hardware has no published dense peak for compute_dtype", pl.col("peak_flop_per_s").is_null())
TP_HEADS = Rule("tp does not divide the model's attention heads", (pl.col("n_heads") % pl.col("tp")) != 0)


NO_MEMORY_FRACTION = Rule("no efficiency profile states a memory fraction (add one to the 'default' row)",
                          pl.col("memory_fraction").is_null())


def no_eta(kinds: tuple[str, ...]) -> Rule:
    """No efficiency profile row states one of the study's efficiencies (η of ``kinds``)."""
    return Rule("no efficiency profile matches (add a 'default' row)",
                pl.any_horizontal(pl.col(f"eta_{k}").is_null() for k in kinds))


def decoder_only(study: str) -> Rule:
    return Rule(f"{study} study: decoder models only", pl.col("model_type") != "decoder")


def context(tokens: pl.Expr, what: str) -> Rule:
    """The tokens a row holds exceed the model's context. Unknown on either side (a CNN has no
    sequence, a model may publish no limit): nothing says the row cannot run, so it stays."""
    return Rule(f"{what} exceeds the model's max_context_tokens", tokens > pl.col("max_context_tokens"),
                if_null=False)


SEQ_CONTEXT = context(pl.col("seq_len"), "seq_len")  # node and training: one sequence of seq_len tokens


def no_link(devices: pl.Expr, what: str, where: str) -> Rule:
    """A layout over several devices of one scale-up domain needs its link's published figures."""
    missing = pl.col("scaleup_link_bandwidth_bytes_per_s").is_null() | pl.col("scaleup_link_latency_s").is_null()
    return Rule(f"{what} > 1 on {where} without a published scale-up link bandwidth and latency",
                (devices > 1) & missing)


# -- the space -----------------------------------------------------------------------------------

@dataclass
class Side:
    """One side of a space before its rules: rows, their columns' units, the rules; ``dropped``: rows
    the side removed before ``frame`` (reason -> side rows, counted as ``apply_rules`` counts: the first
    rule each breaks, ``rules``' reasons), weighted like ``frame``'s by the other side's rows of their
    ``workload`` (one workload per side)."""
    frame: pl.DataFrame
    units: dict[str, pint.Unit | None]
    rules: list[Rule] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    workload: str | None = None  # the workload of the rows counted in ``dropped``


@dataclass
class Space:
    """A study's space: both sides after their rules, their units, rows dropped per reason, the pair rules left."""
    hardware_side: pl.DataFrame
    model_side: pl.DataFrame
    units: dict[str, pint.Unit | None]
    dropped: dict[str, int] = field(default_factory=dict)
    row_filter: pl.Expr | None = None  # the pair rules: checks that need both sides
    row_count: int | None = None  # rows left after row_filter, counted on small frames
    grouped_by: str | None = None  # a hardware-side column whose rows ``frame`` keeps together (``grouped_join``)

    @property
    def rows(self) -> int:
        return rows_of_join(self.hardware_side, self.model_side) if self.row_count is None else self.row_count

    def frame(self, hardware_side: pl.DataFrame | None = None) -> pl.LazyFrame:
        """The lazy cross product (optionally of a slice of the hardware side), without the pairs ``row_filter``
        rejects (``paired``: the rule once per hardware row x layout)."""
        hw = self.hardware_side if hardware_side is None else hardware_side
        if self.grouped_by is None:
            return paired(hw, self.model_side, self.row_filter)
        return grouped_join(hw, self.model_side, self.grouped_by, self.row_filter)  # each accelerator's, concatenated

    def is_product(self) -> bool:
        """Whether ``frame``'s rows are the product of the sides (after ``row_filter``): not a subclass's own
        ``frame`` (validation's listed configurations) unless it says so."""
        return type(self).frame is Space.frame


def rows_of_join(left: pl.DataFrame, right: pl.DataFrame) -> int:
    """Rows the join on workload would make between two small frames."""
    a, b = (columns_of(f, ["workload"]).group_by(pl.col("workload").cast(pl.String)).len() for f in (left, right))
    j = a.join(b, on="workload")
    return int((j["len"] * j["len_right"]).sum()) if j.height else 0


def columns_of(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The columns ``names`` of ``frame`` as a frame of their own, for an eager ``group_by``: on the whole frame it
    copied every column (the 300 M-row node sweep's 1.2 M-row model side: ~500 MB and 1.2 s a call)."""
    return pl.DataFrame([frame.get_column(c) for c in names])


WEIGHT = "_rows_in_product"


def _weighted(frame: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the rows of ``other`` that each of its rows joins (same workload)."""
    counts = dict(columns_of(other, ["workload"]).group_by(pl.col("workload").cast(pl.String)).len().iter_rows())
    return frame.with_columns(pl.col("workload").cast(pl.String).replace_strict(  # a new column: no copy
        counts, default=0, return_dtype=pl.UInt32).alias(WEIGHT))


def _pairs(hw: pl.DataFrame, model: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """The columns the pair rules read: each hardware row x each distinct model-side value of
    them, with ``len`` the model rows that value stands for (small: layouts, not models)."""
    names = {n for rule in rules for n in rule.bad.meta.root_names()}
    on_model = sorted((names & set(model.columns)) - {"workload"})
    on_hw = sorted(names - set(on_model))
    layouts = columns_of(model, ["workload", *on_model]).group_by(pl.col("workload").cast(pl.String), *on_model).len()
    return hw.select(pl.col("workload").cast(pl.String), *on_hw).join(layouts, on="workload")


def join_sides(catalogs: Catalogs, spec: SweepSpec, hardware: Side, model: Side, pair_rules: list[Rule] = (),
               accelerator: str = "hardware",
               finish_model: Callable[[pl.DataFrame, dict], tuple[pl.DataFrame, dict]] | None = None) -> Space:
    """The space of two sides: each side's rules, then the pair rules, counted in rows of the
    full product; ``finish_model`` then shapes the kept model side (columns computed once per
    model row); the hardware side gains the region axis and operations columns (keyed by
    ``accelerator``), which multiply every count."""
    weighted = _weighted(hardware.frame, model.frame)
    if model.dropped:  # a hardware row stands for the model rows removed before the frame too
        same = pl.col("workload").cast(pl.String) == model.workload
        weighted = weighted.with_columns(pl.col(WEIGHT) + pl.when(same).then(sum(model.dropped.values())).otherwise(0))
    hw, dropped = apply_rules(weighted, hardware.rules, WEIGHT)
    mdl, more = apply_rules(_weighted(model.frame, hw), model.rules, WEIGHT)
    if model.dropped:  # removed before the frame: the same counts, weighted the same way
        weight = hw.filter(pl.col("workload").cast(pl.String) == model.workload).height
        more = {k: v + model.dropped.get(k, 0) * weight for k, v in more.items()}
    hw, mdl = hw.drop(WEIGHT), mdl.drop(WEIGHT)
    dropped |= more
    row_filter = row_count = None
    if pair_rules:
        kept, more = apply_rules(_pairs(hw, mdl, pair_rules), pair_rules, "len")
        dropped |= more
        row_count = int(kept["len"].sum())
        row_filter = pl.all_horizontal(~rule.verdict() for rule in pair_rules)
    units = model.units
    if finish_model is not None:
        mdl, units = finish_model(mdl, units)
    hw, ops_units = operations.attach(hw, catalogs, spec, accelerator)
    regions = len(spec.axes.region or ()) or 1
    return Space(hw, mdl, hardware.units | ops_units | units, {k: v * regions for k, v in dropped.items() if v},
                 row_filter=row_filter, row_count=None if row_count is None else row_count * regions)


# -- names and rows ------------------------------------------------------------------------------

def categorical(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns as categoricals: the cross product then copies 4-byte codes, not strings."""
    return frame.with_columns(pl.col(pl.String).cast(pl.Categorical))


def check_names(catalogs: Catalogs, spec: SweepSpec,
                extra: list[tuple[str, tuple[str, ...] | None]] = ()) -> None:
    """Every name in the spec must be in its catalog; all unknown names are reported at once.
    ``extra``: more (spec key, precision names) pairs to check against the precisions catalog."""
    unknown = []
    precisions = catalogs.precisions["name"].to_list()
    computable = catalogs.precisions.filter(pl.col("peak_column").is_not_null())["name"].to_list()
    for column, names, known in [
        *((key, names, precisions) for key, names in extra),
        ("axes.hardware", spec.axes.hardware, catalogs.hardware["name"].to_list()),
        ("axes.model", spec.axes.model, catalogs.models["name"].to_list()),
        ("axes.compute_dtype", spec.axes.compute_dtype, computable),  # int4 is storage only
        ("efficiency.framework", (spec.efficiency.framework,),
         sorted(set(catalogs.efficiency_profiles["framework"].to_list()) | {"default"})),
    ]:
        unknown += [(column, n, known) for n in names or () if n not in known]
    if unknown:
        raise UnknownNameError("sweep spec", unknown)


def check_catalog_names(key: str, names: tuple[str, ...] | None, table: pl.DataFrame) -> None:
    """Names a spec key gives must be rows of ``table`` (clusters, distillation students)."""
    known = table["name"].to_list()
    unknown = [(key, n, known) for n in names or () if n not in known]
    if unknown:
        raise UnknownNameError("sweep spec", unknown)


def select_rows(frame: pl.DataFrame, names: tuple[str, ...] | None, filters: dict, kind: str) -> pl.DataFrame:
    if names is not None:
        frame = frame.filter(pl.col("name").is_in(list(names)))
    for column, values in filters.items():
        frame = frame.filter(pl.col(column).is_in(list(values)))
    if frame.height == 0:
        raise InputError("sweep spec", [Problem(None, f"filters.{kind}",
                                                f"no {kind} left after the axes and filters")])
    return frame


def catalog_units(table: str, columns: Iterable[str]) -> dict[str, pint.Unit | None]:
    """The units a catalog's schema gives ``columns`` (those it has)."""
    declared = schema_units(table)
    return {c: (None if declared[c] is None else unit(declared[c])) for c in columns if c in declared}


# -- the model side ------------------------------------------------------------------------------

def shaped_models(models: pl.DataFrame, columns: list[str],
                  registry: dict | None = None) -> tuple[pl.DataFrame, dict[str, pint.Unit | None]]:
    """Catalog columns and architecture-derived columns of the selected models (one row each),
    with ``name`` as ``model``; numbers as floats so products of dimensions cannot overflow."""
    model_units = catalog_units("models", schema_units("models"))
    numeric = [c for c, u in model_units.items() if u is not None]
    models = models.with_columns(pl.col(numeric).cast(pl.Float64))
    derived = formulas.plan(models.lazy(), model_units, ["name", *columns], registry)
    units = {k: v for k, v in derived.units.items() if k != "name"} | {"model": None}
    return derived.frame.collect().rename({"name": "model"}), units


def models(catalogs: Catalogs, spec: SweepSpec, columns: list[str]
           ) -> tuple[pl.DataFrame, dict[str, pint.Unit | None]]:
    """The spec's models (axes and filters), shaped: one row each."""
    return shaped_models(select_rows(catalogs.models, spec.axes.model, spec.filters.model, "model"), columns)


def cross(frame: pl.DataFrame, axes: dict[str, tuple[Iterable, pl.DataType]]) -> pl.DataFrame:
    """``frame`` x every value of each axis, in order."""
    for name, (values, dtype) in axes.items():
        frame = frame.join(pl.DataFrame({name: list(values)}, schema={name: dtype}), how="cross",
                           maintain_order="left_right")
    return frame


# -- the hardware side ---------------------------------------------------------------------------

INPUT_PIPELINE_UNITS = {"storage_read_bandwidth_bytes_per_s": "B/s", "data_bytes_per_sample": "B",
                        "data_samples_per_s_per_core": "1/s"}


def _storage(side: pl.DataFrame, catalogs: Catalogs, spec: SweepSpec) -> pl.DataFrame:
    """Weights and KV cache stored at their own precisions (the serving axes weight_dtype and
    kv_dtype, else compute_dtype; axes.precision ties all three)."""
    for kind, dtypes in (("weight", spec.axes.weight_dtype), ("kv", spec.axes.kv_dtype)):
        chosen = catalogs.precisions.filter(pl.col("name").is_in(list(dtypes or spec.axes.compute_dtype)))
        side = side.join(chosen.select(
            pl.col("name").alias(f"{kind}_dtype"), pl.col("bytes_per_element").alias(f"{kind}_bytes_per_element")),
            how="cross")
    if spec.axes.precision_tied:
        side = side.filter((pl.col("weight_dtype") == pl.col("compute_dtype"))
                           & (pl.col("kv_dtype") == pl.col("compute_dtype")))
    return side


def hardware_side(rows: pl.DataFrame, catalogs: Catalogs, spec: SweepSpec, *, workloads: Iterable[str],
                  rules: list[Rule], kinds: tuple[str, ...] = ("compute",), storage: str | None = None,
                  knobs: Iterable[str] = (), data: str | None = None, derived: dict[str, pl.Expr] | None = None,
                  units: dict[str, pint.Unit | None] | None = None, key: str = "hardware", on: str = "name",
                  tables: tuple[str, ...] = ("hardware",), memory_fraction: bool = False) -> Side:
    """The hardware side of a study: ``rows`` (accelerators, or clusters with their accelerator
    in column ``on``) x the spec's compute dtypes with their peak FLOP/s x ``workloads``, with
    η of each of ``kinds`` (efficiency profiles, or the spec's override), the ``knobs``, the
    input pipeline of spec section ``data`` and the ``derived`` columns (of ``units``).

    ``storage``: "compute" stores weights and KV cache at compute_dtype, "axes" at their own
    dtypes (serving), None keeps no element sizes. ``name`` becomes ``key``; the units of
    ``rows``' columns come from the catalogs ``tables``. ``memory_fraction``: add the
    framework's memory fraction (``efficiency.memory_fraction_table``; serving)."""
    peaks = catalogs.hardware.unpivot(index="name", on=PEAK_COLUMNS, variable_name="peak_column",
                                      value_name="peak_flop_per_s").rename({"name": on})
    chosen = catalogs.precisions.filter(pl.col("name").is_in(list(spec.axes.compute_dtype))).select(
        pl.col("name").alias("compute_dtype"), "peak_column", "bytes_per_element")
    side = rows.join(peaks.join(chosen, on="peak_column").drop("peak_column"), on=on)
    out = {key: None, "compute_dtype": None, "workload": None, "peak_flop_per_s": unit("FLOP/s")}
    for table in tables:
        out |= {c: u for c, u in catalog_units(table, rows.columns).items() if c not in out and c != "name"}
    if storage is None:
        side = side.drop("bytes_per_element")
    else:
        side = (_storage(side, catalogs, spec) if storage == "axes" else side.with_columns(
            weight_bytes_per_element=pl.col("bytes_per_element"), kv_bytes_per_element=pl.col("bytes_per_element")))
        out |= {"bytes_per_element": unit("B/elem"), "weight_bytes_per_element": unit("B/elem"),
                "kv_bytes_per_element": unit("B/elem")}
        out |= {"weight_dtype": None, "kv_dtype": None} if storage == "axes" else {}
    side = side.join(pl.DataFrame({"workload": list(workloads)}), how="cross")
    side = eta_table(side, catalogs.efficiency_profiles, spec.efficiency.framework,
                     {k: getattr(spec.efficiency, f"eta_{k}") for k in kinds}, kinds=kinds)
    out |= {f"eta_{k}{s}": unit("") for k in kinds for s in ("", "_low", "_high")}
    out |= {("eta_source" if k == "compute" else f"eta_{k}_source"): None for k in kinds}
    side = kernel_table(side, catalogs.kernel_efficiency, spec.efficiency.compute_model, spec.efficiency.eta_compute,
                        on)
    side = named_attention_kernel(side, catalogs.kernel_efficiency, spec.efficiency.attention_kernel, on)
    side = measured_memory_fraction(side, catalogs.kernel_efficiency, spec.efficiency.compute_model,
                                    spec.efficiency.eta_memory, on)
    side = framework_multiplier(side, catalogs.efficiency_profiles, spec.efficiency)
    out |= KERNEL_UNITS
    if memory_fraction:
        side = memory_fraction_table(side, catalogs.efficiency_profiles, spec.efficiency.framework,
                                     spec.serving.memory_fraction)
        out |= {"memory_fraction": unit(""), "memory_fraction_of_free": None, "memory_fraction_source": None}
    terms = [name for name in knobs if name in FRAMEWORK_TERMS]  # framework behaviour: the profiles
    if terms:
        side = framework_table(side, catalogs.efficiency_profiles, spec.efficiency.framework, terms,
                               {"launch_overhead_per_kernel_s": spec.software.launch_overhead_per_kernel_s,
                                "prefill_chunk_tokens": spec.serving.prefill_chunk_tokens})
        out |= {c: (None if FRAMEWORK_UNITS[c] is None else unit(FRAMEWORK_UNITS[c]))
                for t in terms for c in FRAMEWORK_TERMS[t][0]} | {framework_source(t): None for t in terms}
    knobs = [name for name in knobs if name not in FRAMEWORK_TERMS]
    columns = {name: knob_column(KNOBS[name].value(spec), KNOBS[name].unit) for name in knobs}
    out |= {name: (None if KNOBS[name].unit is None else unit(KNOBS[name].unit)) for name in knobs}
    if data is not None:  # walls 8 and 9: the storage and host pipeline the spec names
        columns |= {c: pl.lit(v, dtype=pl.Float64) for c, v in input_pipeline(catalogs, spec, data).items()}
        out |= {c: unit(u) for c, u in INPUT_PIPELINE_UNITS.items()}
    side = side.rename({"name": key}).with_columns(**columns, **(derived or {}))
    accelerator = key if on == "name" else on  # wall 14: the fitted all-reduce of its fabric
    fits, custom = allreduce_fits(  # wall 14: NCCL's fitted regimes and the frameworks' one-shot all-reduce
        catalogs.hardware, _fits(catalogs), custom_allreduce.load_fits(catalogs.paths["hardware"].parent))
    side = side.join(fits.rename({"name": accelerator}), on=accelerator, how="left")
    out |= {"comm_basis": None} | {c: unit(u) for c, u in collective_fits.ALLREDUCE_UNITS.items()}
    side = side.join(custom.rename({"name": accelerator}), on=accelerator, how="left")
    out |= {c: unit(u) for c, u in custom_allreduce.CUSTOM_UNITS.items()}
    return Side(categorical(side), out | (units or {}), rules)


def _fits(catalogs: Catalogs) -> pl.DataFrame:
    """The collectives catalog next to the hardware catalog in use, else the bundled one."""
    return collective_fits.load_fits(catalogs.paths["hardware"].parent)
