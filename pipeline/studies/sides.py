"""The configuration space: hardware x compute_dtype x workload (the hardware side) joined
with model x step x batch x seq_len (the model side) on workload.

Both sides are small and built eagerly; their join, the cross product, stays lazy and
is only ever streamed. Impossible combinations are dropped on the small sides, and
each drop is counted (rows it removes from the full product) by reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pint
import polars as pl

from pipeline import formulas, walls  # noqa: F401  (registers the formulas)
from pipeline.studies import operations
from pipeline.catalogs.io import schema_units
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.schemas import PEAK_COLUMNS
from pipeline.studies.efficiency import eta_table
from pipeline.errors import InputError, Problem, UnknownNameError
from pipeline.spec import SweepSpec
from pipeline.units import unit
from pipeline.walls.architecture import MODEL_COLUMNS
from pipeline.studies.input_pipeline import input_pipeline

# Which steps a workload runs for each kind of model, in the order a request runs them.
STEPS = pl.DataFrame(
    [("cnn", "inference", "forward"), ("cnn", "training", "train"),
     ("encoder", "inference", "forward"), ("encoder", "training", "train"),
     ("decoder", "inference", "prefill"), ("decoder", "inference", "decode"),
     ("decoder", "training", "train")],
    schema=["model_type", "workload", "step"], orient="row",
)

HARDWARE_COLUMNS = ["vendor", "family", "category", "memory_capacity_bytes",
                    "memory_bandwidth_bytes_per_s", "tdp_w"]
MODEL_INPUT_COLUMNS = ["model_type", "is_moe", "n_layers", "forward_flop_per_sample",
                       "activation_elements_per_sample", "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim",
                       "vocab_size", "has_linear_bias", "n_experts", "n_experts_per_token", "n_shared_experts",
                       "expert_ffn_dim", "n_dense_layers", "kv_lora_rank", "qk_rope_head_dim"]

DROP_NO_PEAK = "hardware has no published dense peak for compute_dtype"
DROP_NO_BANDWIDTH = "hardware has no published memory bandwidth"
DROP_CONTEXT = "seq_len exceeds the model's max_context_tokens"
DROP_NO_ETA = "no efficiency profile matches (add a 'default' row)"


@dataclass
class Space:
    hardware_side: pl.DataFrame
    model_side: pl.DataFrame
    units: dict[str, pint.Unit | None]
    dropped: dict[str, int] = field(default_factory=dict)
    row_filter: pl.Expr | None = None  # checks that need both sides (serving: layout vs domain)
    row_count: int | None = None  # rows left after row_filter, counted on small frames

    @property
    def rows(self) -> int:
        return rows_of_join(self.hardware_side, self.model_side) if self.row_count is None else self.row_count

    def frame(self, hardware_side: pl.DataFrame | None = None) -> pl.LazyFrame:
        """The lazy cross product (optionally of a slice of the hardware side)."""
        hw = self.hardware_side if hardware_side is None else hardware_side
        joined = hw.lazy().join(self.model_side.lazy(), on="workload", how="inner")
        return joined if self.row_filter is None else joined.filter(self.row_filter)


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
        ("axes.hardware", spec.hardware, catalogs.hardware["name"].to_list()),
        ("axes.model", spec.model, catalogs.models["name"].to_list()),
        ("axes.compute_dtype", spec.compute_dtype, computable),  # int4 is storage only
        ("efficiency.framework", (spec.framework,),
         sorted(set(catalogs.efficiency_profiles["framework"].to_list()) | {"default"})),
    ]:
        unknown += [(column, n, known) for n in names or () if n not in known]
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


def shaped_models(models: pl.DataFrame, columns: list[str],
                  registry: dict | None = None) -> tuple[pl.DataFrame, dict[str, pint.Unit | None]]:
    """Catalog columns and architecture-derived columns of the selected models (one row each),
    with ``name`` as ``model``; numbers as floats so products of dimensions cannot overflow."""
    model_units = {c: (None if u is None else unit(u)) for c, u in schema_units("models").items()}
    numeric = [c for c, u in model_units.items() if u is not None]
    models = models.with_columns(pl.col(numeric).cast(pl.Float64))
    derived = formulas.plan(models.lazy(), model_units, ["name", *columns], registry)
    units = {k: v for k, v in derived.units.items() if k != "name"} | {"model": None}
    return derived.frame.collect().rename({"name": "model"}), units


def _model_side(catalogs: Catalogs, spec: SweepSpec) -> tuple[pl.DataFrame, dict, int]:
    models = select_rows(catalogs.models, spec.model, spec.model_filters, "model")
    shaped, units = shaped_models(models, [*MODEL_INPUT_COLUMNS, "max_context_tokens", *MODEL_COLUMNS])
    steps = STEPS.filter(pl.col("workload").is_in(list(spec.workload)))
    side = shaped.join(steps, on="model_type", how="inner", maintain_order="left_right")
    side = side.join(pl.DataFrame({"batch": list(spec.batch)}), how="cross")
    seqs = pl.DataFrame({"seq_len": list(spec.seq_len)})
    transformer = side.filter(pl.col("model_type") != "cnn").join(seqs, how="cross")
    cnn = side.filter(pl.col("model_type") == "cnn").with_columns(seq_len=pl.lit(None, pl.Int64))
    side = pl.concat([transformer, cnn], how="vertical")
    too_long = pl.col("seq_len") > pl.col("max_context_tokens")
    dropped = side.filter(too_long.fill_null(False))
    side = side.filter(~too_long.fill_null(False)).drop("max_context_tokens")
    units.pop("max_context_tokens")
    # One device: the shared operators at tp = pp = 1, on the model side so that every
    # layout-only column (shapes, FLOPs) is computed before the cross join.
    side = side.with_columns(tp=pl.lit(1.0), pp=pl.lit(1.0), weight_density=pl.lit(1.0))
    units |= {"step": None, "batch": unit(""), "seq_len": unit("tok"), "workload": None,
              "tp": unit(""), "pp": unit(""), "weight_density": unit("")}
    return categorical(side), units, dropped


def _hardware_side(catalogs: Catalogs, spec: SweepSpec) -> tuple[pl.DataFrame, dict, pl.DataFrame]:
    hw = select_rows(catalogs.hardware, spec.hardware, spec.hardware_filters, "hardware")
    precisions = catalogs.precisions
    peaks = hw.unpivot(index="name", on=PEAK_COLUMNS, variable_name="peak_column",
                       value_name="peak_flop_per_s")
    chosen = precisions.filter(pl.col("name").is_in(list(spec.compute_dtype))).select(
        pl.col("name").alias("compute_dtype"), "peak_column", "bytes_per_element")
    pairs = peaks.join(chosen, on="peak_column").drop("peak_column")
    no_bandwidth = hw.filter(pl.col("memory_bandwidth_bytes_per_s").is_null())["name"]
    pairs = pairs.with_columns(drop_reason=pl.when(pl.col("name").is_in(no_bandwidth.implode()))
                               .then(pl.lit(DROP_NO_BANDWIDTH))
                               .when(pl.col("peak_flop_per_s").is_null()).then(pl.lit(DROP_NO_PEAK)))
    no_peak = pairs.filter(pl.col("drop_reason").is_not_null())
    pairs = pairs.filter(pl.col("drop_reason").is_null()).drop("drop_reason")
    side = (hw.select("name", *HARDWARE_COLUMNS).join(pairs, on="name")
            .join(pl.DataFrame({"workload": list(spec.workload)}), how="cross"))
    side = eta_table(side, catalogs.efficiency_profiles, spec.framework, {"compute": spec.eta_compute})
    side = side.rename({"name": "hardware"}).with_columns(
        kernels_per_transformer_layer=pl.lit(float(spec.kernels_per_transformer_layer)),
        kernels_per_cnn_layer=pl.lit(float(spec.kernels_per_cnn_layer)),
        launch_overhead_per_kernel_s=pl.lit(spec.launch_overhead_per_kernel_s),
        weight_bytes_per_element=pl.col("bytes_per_element"), kv_bytes_per_element=pl.col("bytes_per_element"),
        synthesis_target_fraction=pl.lit(spec.synthesis_target_fraction),
        host_cores_per_node=pl.lit(float(spec.host_cores_per_node)),
        accelerators_per_node=pl.lit(float(spec.accelerators_per_node)),
        **{c: pl.lit(v, dtype=pl.Float64) for c, v in input_pipeline(catalogs, spec, "data").items()},
    )
    hw_units = schema_units("hardware")
    units = {c: (None if hw_units[c] is None else unit(hw_units[c])) for c in HARDWARE_COLUMNS}
    units |= {"hardware": None, "compute_dtype": None, "workload": None, "eta_source": None,
              "peak_flop_per_s": unit("FLOP/s"), "bytes_per_element": unit("B/elem"),
              "eta_compute": unit(""), "eta_compute_low": unit(""), "eta_compute_high": unit(""),
              "kernels_per_transformer_layer": unit(""), "kernels_per_cnn_layer": unit(""),
              "launch_overhead_per_kernel_s": unit("s"),
              "weight_bytes_per_element": unit("B/elem"), "kv_bytes_per_element": unit("B/elem"),
              "synthesis_target_fraction": unit(""), "host_cores_per_node": unit(""),
              "accelerators_per_node": unit(""), "storage_read_bandwidth_bytes_per_s": unit("B/s"),
              "data_bytes_per_sample": unit("B"), "data_samples_per_s_per_core": unit("1/s")}
    no_peak = no_peak.join(pl.DataFrame({"workload": list(spec.workload)}), how="cross")
    return categorical(side), units, categorical(no_peak)


def rows_of_join(left: pl.DataFrame, right: pl.DataFrame) -> int:
    """Rows the join on workload would make between two small frames."""
    a, b = (f.group_by(pl.col("workload").cast(pl.String)).len() for f in (left, right))
    j = a.join(b, on="workload")
    return int((j["len"] * j["len_right"]).sum()) if j.height else 0


def _precomputed(model: pl.DataFrame, units: dict) -> tuple[pl.DataFrame, dict]:
    """Columns of the node study that depend on the model side only (token counts, FLOPs,
    layer shapes) are computed once per model-side row, not once per hardware x model row."""
    from pipeline.studies import node

    local = formulas.computable_from(units, node.OUTPUTS)
    plan = formulas.plan(model.lazy(), units, [*model.columns, *local])
    frame, units = _per_log_seq(plan.frame, dict(plan.units), units)
    # keep what the rest of the plan reads: the cross product copies every model-side column
    keep = formulas.inputs_used(units, node.OUTPUTS) | {"workload"}
    columns = [c for c in units if c in keep]
    return frame.select(columns).collect(), {c: units[c] for c in columns}


SEQ_DEPENDENT = ["step_flop", "kv_traffic_elements", "activation_traffic_elements"]


def _per_log_seq(frame: pl.LazyFrame, units: dict, inputs: dict) -> tuple[pl.LazyFrame, dict]:
    """s dX/ds of the step's FLOPs and K/V and activation elements (wall 21): each is a polynomial
    of degree <= 2 in the sequence length (linear layers, quadratic attention scores), so the
    central difference over s (1 +- 1/4) is its exact derivative."""
    frame = frame.with_columns((pl.col("seq_len") * 1.25).alias("_s_up"), (pl.col("seq_len") * 0.75).alias("_s_dn"))
    for name, suffix in (("_s_up", "__sup"), ("_s_dn", "__sdn")):
        frame = formulas.plan(frame, inputs, SEQ_DEPENDENT, rebind={"seq_len": name}, suffix=suffix, keep=True).frame
    frame = frame.with_columns(((pl.col(f"{c}__sup") - pl.col(f"{c}__sdn")) / 0.5).alias(f"{c}_per_log_seq")
                               for c in SEQ_DEPENDENT)
    return frame, units | {f"{c}_per_log_seq": units[c] for c in SEQ_DEPENDENT}


def build_space(catalogs: Catalogs, spec: SweepSpec) -> Space:
    check_names(catalogs, spec)
    hw, hw_units, no_peak = _hardware_side(catalogs, spec)
    model, model_units, too_long = _model_side(catalogs, spec)
    no_eta = hw.filter(pl.col("eta_compute").is_null())
    hw = hw.filter(pl.col("eta_compute").is_not_null())
    # A row with several faults counts once, under the first: hardware reasons, then context.
    model_all = pl.concat([model.select("workload"), too_long.select(pl.col("workload").cast(pl.Categorical))])
    dropped = {reason: rows_of_join(no_peak.filter(pl.col("drop_reason") == reason), model_all)
               for reason in (DROP_NO_BANDWIDTH, DROP_NO_PEAK)}
    dropped |= {DROP_NO_ETA: rows_of_join(no_eta, model_all), DROP_CONTEXT: rows_of_join(hw, too_long)}
    model, model_units = _precomputed(model, model_units)
    hw, ops_units = operations.attach(hw, catalogs, spec, "hardware")
    regions = len(spec.region or ()) or 1  # the region axis multiplies every count
    return Space(hw, model, hw_units | ops_units | model_units, {k: v * regions for k, v in dropped.items() if v})
