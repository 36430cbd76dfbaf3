"""The node study (walls 1-3): one accelerator running one step of one model.

Grain of the output: one row per hardware x model x workload x step x compute_dtype x
batch x seq_len (seq_len is null for CNNs).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.model_patterns import COLUMNS as PATTERN_COLUMNS
from pipeline.spec import SweepSpec
from pipeline.studies import (
    check_plan,
    demand_ratio,
    elasticity,
    fraction,
    headroom,
    input_pipeline,
    node_graphs,
    operations,
    result,
    sides,
)
from pipeline.studies.kernels import k_half_at_activation_bytes, profile_where_tiles_exceed
from pipeline.studies.node_fabric import cluster_fabric
from pipeline.studies.node_shared import FOOTPRINT, KERNEL_FIT, SHARED, fit_cuts, shared
from pipeline.studies.operations import COMMON, with_operations
from pipeline.studies.sides import NO_BANDWIDTH, NO_PEAK, SEQ_CONTEXT, Side, Space, no_eta
from pipeline.units import unit
from pipeline.walls.architecture import MODEL_COLUMNS
from pipeline.walls.compute import at_one_eta_time_s

KAPLAN = "Kaplan et al. 2020, arXiv:2001.08361, Table 1"
ROOFLINE = "Williams, Waterman, Patterson 2009, Roofline (CACM 52(4))"
KV = "KV = 2·L·H_kv·d_head·S·B·bytes (exact); MLA: DeepSeek-V2 arXiv:2405.04434"


class NodeCoreSchema(pa.DataFrameModel):
    hardware: pl.Categorical = result(None, "accelerator", "hardware catalog", nullable=False)
    vendor: pl.Categorical = result(None, "manufacturer", "hardware catalog", nullable=False)
    family: pl.Categorical = result(None, "architecture family", "hardware catalog", nullable=False)
    category: pl.Categorical = result(None, "market segment", "hardware catalog", nullable=False)
    model: pl.Categorical = result(None, "workload model", "models catalog", nullable=False)
    model_type: pl.Categorical = result(None, "cnn, encoder or decoder", "models catalog", nullable=False)
    workload: pl.Categorical = result(None, "inference or training", "sweep axis", nullable=False)
    step: pl.Categorical = result(None, "forward, prefill, decode (one token) or train", "by model_type and workload",
                       nullable=False)
    compute_dtype: pl.Categorical = result(None, "precision of weights and compute", "sweep axis", nullable=False)
    batch: int = result("", "concurrent samples / sequences", "sweep axis", nullable=False)
    seq_len: int = result("tok", "context length (prompt in prefill, cache in decode)", "sweep axis")
    peak_flop_per_s: float = result("FLOP/s", "dense datasheet peak at compute_dtype", "hardware catalog")
    memory_bandwidth_bytes_per_s: float = result("B/s", "datasheet memory bandwidth", "hardware catalog")
    memory_capacity_bytes: float = result("B", "device memory as built", "hardware catalog")
    memory_limit_bytes: float = result("B", "usable device memory: the driver-reported total, else the as-built "
                                       "capacity", "hardware catalog usable_memory_bytes")
    tdp_w: float = result("W", "thermal design power", "hardware catalog")
    eta_compute: float = fraction("achieved fraction of peak FLOP/s used", "efficiency profile (midpoint)")
    eta_source: pl.Categorical = result(None, "profile row (or override) that set eta_compute", "efficiency_profiles")
    efficiency_basis: pl.Categorical = result(
        None, "what sets a transformer's matmul η (attention, norms and CNNs keep the profile's): kernel fit "
        "(GEMM shape model), profile η, override η, or profile η where the fit's one tile exceeds 128 x 128 "
        "(MI300X: node.NODE_MAX_FIT_TILE_AREA)", "kernel_efficiency catalog")
    launch_overhead_per_kernel_s: float = result("s", "host cost of one kernel launch", "sweep spec [software]")
    params_computed: float = result("param", "total weights", "layer-by-layer count; CNN: published")
    tokens_per_step: float = result("tok", "tokens through the weights this step", "B·S; decode B")
    step_flop: float = result("FLOP", "FLOPs of the step", f"{KAPLAN}; train = 3x forward")
    compute_time_s: float = result("s", "step_flop / (peak · eta_compute)", "wall 1")
    ridge_point_flop_per_byte: float = result("FLOP/B", "peak / bandwidth", ROOFLINE)
    ridge_point_at_eta_flop_per_byte: float = result("FLOP/B", "peak · eta / bandwidth", ROOFLINE)
    arithmetic_intensity_flop_per_byte: float = result("FLOP/B", "step_flop / bytes_moved", ROOFLINE)
    attainable_flop_per_s: float = result("FLOP/s", "min(peak · eta, intensity · bandwidth)", ROOFLINE)
    weight_bytes: float = result("B", "resident weights (all experts)", "params x bytes/param")
    kv_cache_bytes: float = result("B", "KV cache held for the context", KV)
    activation_memory_bytes: float = result(
        "B", "resident activations", "CNN: all feature maps; train: Korthikanti et al. 2022 eq. 1")
    optimizer_state_bytes: float = result("B", "gradients + Adam state (training)",
                                          "Rajbhandari et al. 2020 (ZeRO) §3.1: 12 B/param")
    memory_footprint_bytes: float = result("B", "weights + KV + activations + optimizer", "wall 2")
    memory_headroom_bytes: float = headroom("memory_limit_bytes - footprint (negative: does not fit)", "wall 2")
    is_feasible: bool = result(None, "footprint fits in device memory", "wall 2", nullable=False)
    infeasible_reason: pl.Categorical = result(None, "why not, when not feasible", "wall 2")
    weight_traffic_bytes: float = result("B", "weights read (and written, training) this step",
                                         "MoE: experts hit, 1-(1-k/E)^tokens")
    kv_traffic_bytes: float = result("B", "KV cache read (decode) or written (prefill)", KV)
    activation_traffic_bytes: float = result("B", "activations written once and read once", "wall 2")
    bytes_moved: float = result("B", "weight + KV + activation traffic", "wall 2")
    memory_time_s: float = result("s", "bytes_moved / memory bandwidth", "wall 2")
    elementwise_traffic_bytes: float = result(
        "B", "CNN training: batch-norm and activation kernels' passes over the feature maps (0 otherwise)",
        "Ioffe & Szegedy 2015 Alg. 1; Jung et al. 2019 (arXiv:1807.01702)")
    data_parallel_devices: float = result("", "devices sharing a training row's global batch (1: one device)",
                                          "spec [data] devices")
    optimizer_shard_ranks: float = result("", "ranks the optimizer state is split over (1: unsharded)",
                                          "spec [data] optimizer_sharded; apex DistributedFusedLAMB: one node")
    optimizer_traffic_bytes: float = result("B", "training: the update's read and write of its fp32 state, "
                                            "this rank's shard", "12 B/param (ZeRO §3.1) x 2 / shard ranks")
    elementwise_time_s: float = result("s", "(elementwise + optimizer traffic) / memory bandwidth, beside the "
                                       "GEMMs and convolutions", "wall 2")
    gradient_allreduce_bytes: float = result("B", "training on > 1 device: the gradient all-reduced", "params x "
                                             "gradient_bytes_per_param")
    gradient_allreduce_time_s: float = result("s", "NCCL all-reduce of it over the devices (0: one device, or "
                                              "spanning nodes without a cluster)", "wall 14")
    gradient_exposed_time_s: float = result("s", "the all-reduce not hidden behind backward", "wall 14: "
                                            "dp_overlap_fraction")
    kernel_launches: float = result("", "kernels launched this step", "layers x kernels per layer")
    launch_overhead_s: float = result("s", "kernel_launches x launch_overhead_per_kernel_s", "wall 3")
    graph_compute_time_s: float = result("s", "a graphed batch-1 step's compute, GEMMs at k_half = 0 (null: eager)",
                                         "walls/graph_latency (r-accf4 F4)")
    conv_compute_time_s: float = result("s", "a CNN inference step's convs at its batch (null: not priced by conv)",
                                        "walls/graph_convs (r-accrest R5)")
    conv_peak_time_s: float = result("s", "the part of the convs' time that scales as 1 / peak", "walls/conv_parts")
    conv_clock_time_s: float = result("s", "the part of the convs' time as 1 / the SM clock", "walls/conv_parts")
    latency_s: float = result("s", "max(compute, memory) + element-wise + launches (CNN training: its kernels' fixed "
                              "time + one launch) + exposed all-reduce; null if infeasible", "wall 3")
    bound: pl.Categorical = result(None, "largest time term: compute, memory, overhead, input pipeline or "
                                   "capacity (does not fit); words: pipeline.walls.bounds", "wall 3")
    achieved_flop_per_s: float = result("FLOP/s", "step_flop / latency", "wall 3")
    mfu: float = fraction("model FLOPs utilisation: step_flop / (latency · peak)",
                                  "Chowdhery et al. 2022, App. B")
    samples_per_s: float = result("1/s", "batch / latency", "wall 3")
    tokens_per_s: float = result("tok/s", "tokens_per_step / latency", "wall 3")
    energy_per_step_j: float = result("J", "TDP x latency (upper bound)", "wall 3")
    samples_per_j: float = result("1/J", "samples per second per watt at TDP", "wall 3")
    tokens_per_j: float = result("tok/J", "tokens per second per watt at TDP", "wall 3")
    storage_utilization: float = demand_ratio("training rows: data read / this accelerator's share of the node's "
                                        "storage bandwidth (data.storage)", "wall 8")
    host_utilization: float = demand_ratio("training rows: CPU cores the input pipeline needs / this accelerator's "
                                     "share of the node's cores (data.data_pipeline)", "wall 9")
    input_utilization: float = demand_ratio("the busier of the two; above 1 the accelerator waits for data",
                                      "walls 8, 9")
    elasticity_peak_flop_per_s: float = elasticity("d log latency / d log peak FLOP/s (= eta_compute's)")
    elasticity_memory_bandwidth: float = elasticity("d log latency / d log memory bandwidth")
    elasticity_launch_overhead: float = elasticity("d log latency / d log launch overhead per kernel")
    elasticity_sm_clock: float = elasticity("d log latency / d log SM clock (graphed or conv-priced steps; 0 eager)")
    elasticity_batch: float = elasticity("d log latency / d log batch (null for MoE)")
    elasticity_seq_len: float = elasticity("d log latency / d log sequence length (null for CNNs and MoE)")
    binding_input: pl.Categorical = result(None, "the input whose change moves latency most", "wall 21")
    target_latency_s: float = result("s", "synthesis target: synthesis_target_fraction x latency", "wall 22")
    required_peak_flop_per_s: float = result("FLOP/s", "peak that meets the target (null: unreachable by FLOP/s)",
                                             "wall 22")
    required_memory_bandwidth_bytes_per_s: float = result("B/s", "bandwidth that meets the target (null: "
                                                          "unreachable by bandwidth)", "wall 22")
    synthesis_note: pl.Categorical = result(None, "which single resource reaches the target", "wall 22")

    class Config:
        name = "node"
        strict = True


PER_SAMPLE = {
    "facility_energy_per_sample_j": ("J", "facility energy per sample (IT x PUE)", "wall 18"),
    "co2e_per_sample_g": ("gCO2e", "operational + embodied CO2e per sample", "wall 18"),
    "water_per_sample_l": ("L", "site water per sample", "wall 18"),
    "cloud_cost_per_sample_usd": ("USD", "rented cost per sample", "wall 17"),
    "owned_cost_per_sample_usd": ("USD", "owned cost per sample", "wall 17"),
}
SCHEMA = with_operations(NodeCoreSchema, PER_SAMPLE)
OUTPUTS = list(SCHEMA.to_schema().columns)
# How a writer collects this study's plan (``pipeline.runs.partitions.write_study``): without polars'
# common-subexpression elimination, which costs the node plan ~23 % more CPU (1.01-1.02 vs 1.30-1.32 CPU s
# per 1 M-row chunk, the same values; serving's plan is indifferent and training's is ~50 % slower without it).
OPTIMIZATIONS = pl.QueryOptFlags(comm_subexpr_elim=False)
# The Parquet statistics of this study's parts of one row group (``partitions.write_parts``): null counts, no min/max.
# A part holds an accelerator's rows (a chunk's) over the whole model side, so a key's min/max spans (nearly) every
# value of the run and skips no file: the node queries read the same rows at the same CPU without them, whose writing
# cost ~17 % of the parts' encoding (CHANGELOG 2026-12-06, nodeq). A part of several row groups keeps them.
PARQUET_STATISTICS = {"min": False, "max": False, "distinct_count": False, "null_count": True}
OPERATIONS = [*COMMON, *PER_SAMPLE]
# Columns a run writes nowhere (issue 15 item 1): the views of results.duckdb and ``pipeline.runs.scan_run`` compute
# them from the written ones and the dimension tables by the same formulas (``FORMULAS``: SQL there, polars here;
# ``pipeline.runs.narrow``). Footprint and traffic terms (a model-side count x a hardware-side width, exact from the
# 64-bit dimension tables), sums, ratios, the roofline's max, the elasticities and the synthesized requirements. What
# stays written: compute_time_s (the kernel model's per-GEMM efficiencies: not cheap in SQL) and is_feasible (a
# boolean costs ~nothing, and a query's filter on it is pushed into the Parquet scan, before the dimension joins).
QUERY_TIME = ["memory_limit_bytes", "weight_bytes", "kv_cache_bytes", "activation_memory_bytes",
              "optimizer_state_bytes", "weight_traffic_bytes", "kv_traffic_bytes", "activation_traffic_bytes",
              "elementwise_traffic_bytes", "optimizer_traffic_bytes", "gradient_allreduce_bytes", "kernel_launches",
              "ridge_point_flop_per_byte",
              "ridge_point_at_eta_flop_per_byte", "arithmetic_intensity_flop_per_byte", "attainable_flop_per_s",
              "memory_footprint_bytes", "memory_headroom_bytes", "infeasible_reason", "bytes_moved", "memory_time_s",
              "elementwise_time_s", "launch_overhead_s", "latency_s", "bound", "achieved_flop_per_s", "mfu",
              "samples_per_s", "tokens_per_s", "energy_per_step_j", "samples_per_j", "tokens_per_j",
              "elasticity_peak_flop_per_s", "elasticity_memory_bandwidth", "elasticity_launch_overhead",
              "elasticity_sm_clock", "elasticity_batch", "elasticity_seq_len", "binding_input", "target_latency_s",
              "required_peak_flop_per_s", "required_memory_bandwidth_bytes_per_s", "synthesis_note"]
FORMULAS = formulas.REGISTRY


# Which steps a workload runs for each kind of model, in the order a request runs them.
STEPS = pl.DataFrame(
    [("cnn", "inference", "forward"), ("cnn", "training", "train"),
     ("encoder", "inference", "forward"), ("encoder", "training", "train"),
     ("decoder", "inference", "prefill"), ("decoder", "inference", "decode"),
     ("decoder", "training", "train")],
    schema=["model_type", "workload", "step"], orient="row",
)
HARDWARE = ["vendor", "family", "category", "memory_capacity_bytes", "usable_memory_bytes",
            "memory_bandwidth_bytes_per_s", "tdp_w", "scaleup_link_bandwidth_bytes_per_s", "scaleup_link_latency_s",
            "scaleup_domain_size", "sm_clock_hz", "host_link_bandwidth_bytes_per_s"]
MODEL_INPUTS = ["model_type", "is_moe", "n_layers", "forward_flop_per_sample", "activation_elements_per_sample",
                "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim", "vocab_size", "has_linear_bias",
                "n_experts", "n_experts_per_token", "n_shared_experts", "expert_ffn_dim", "n_dense_layers",
                "kv_lora_rank", "qk_rope_head_dim", "norm_type", *PATTERN_COLUMNS]
KNOBS = ["kernels_per_transformer_layer", "kernels_per_cnn_layer", "launch_overhead_per_kernel_s",
         "synthesis_target_fraction", "host_cores_per_node", "accelerators_per_node", "prefill_chunk_tokens",
         "data_parallel_devices", "optimizer_sharded", "dp_overlap_fraction", "gradient_bytes_per_param",
         "graph_kernels_per_transformer_layer"]
DROP_CONTEXT = SEQ_CONTEXT.reason
SHAPED = [*MODEL_INPUTS, "max_context_tokens", *MODEL_COLUMNS]  # the model catalog's row, shaped
MODEL_RULES = [SEQ_CONTEXT]
AXIS_UNITS = {"step": None, "batch": unit(""), "seq_len": unit("tok"), "workload": None, "tp": unit(""),
              "pp": unit(""), "weight_density": unit("")}
ONE_DEVICE = {"tp": 1.0, "pp": 1.0, "weight_density": 1.0}  # the model side's shared operators: one device


def _model_side(catalogs: Catalogs, spec: SweepSpec) -> tuple[Side, pl.DataFrame]:
    """Model x step x batch x seq_len (CNNs: no seq_len), one device: the shared operators at
    tp = pp = 1, so that every layout-only column (shapes, FLOPs) is computed before the join; and the shaped
    models' other columns, which ``_precomputed`` gathers by ``SHAPED_ROW`` a slice at a time (the product of the
    whole rows was ~500 MB on the 300 M-row node sweep's 1.2 M-row side, copied by each step here)."""
    shaped, units = node_graphs.with_graph_engine(*sides.models(catalogs, spec, SHAPED), catalogs)
    shaped = shaped.with_row_index(SHAPED_ROW)
    steps = STEPS.filter(pl.col("workload").is_in(list(spec.axes.workload)))
    side = shaped.select(SHAPED_ROW, "model_type", "max_context_tokens").join(
        steps, on="model_type", how="inner", maintain_order="left_right")
    side = sides.cross(side, {"batch": (spec.axes.batch, pl.Int64)})
    transformer = sides.cross(side.filter(pl.col("model_type") != "cnn"), {"seq_len": (spec.axes.seq_len, pl.Int64)})
    cnn = side.filter(pl.col("model_type") == "cnn").with_columns(seq_len=pl.lit(None, pl.Int64))
    side = pl.concat([transformer, cnn], how="vertical").with_columns(
        **{name: pl.lit(value) for name, value in ONE_DEVICE.items()})
    return (Side(sides.categorical(side), units | AXIS_UNITS, MODEL_RULES),
            sides.categorical(shaped.drop(SHAPED_ROW, "max_context_tokens")))


SHAPED_ROW = "_shaped_row"  # a model-side row's row of the shaped models (``_model_side``)
MODEL_SLICE_ROWS = 100_000  # model-side rows computed at once (bounds the intermediate columns' memory)
SEQ_DEPENDENT = ["step_flop", "kv_traffic_elements", "activation_traffic_elements"]
SEQ_UP, SEQ_DOWN = 1.25, 0.75  # s (1 +- 1/4): the two lengths of the central difference


def per_log_seq(at_up, at_down):
    """s dX/ds from X at s x SEQ_UP and at s x SEQ_DOWN (numbers or polars expressions): exact for
    a polynomial of degree <= 2 in s."""
    return (at_up - at_down) / (SEQ_UP - SEQ_DOWN)


def _precomputed(model: pl.DataFrame, units: dict, shaped: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Columns that depend on the model side only (token counts, FLOPs, layer shapes) are
    computed once per model-side row, not once per hardware x model row; ``shaped``: the models' columns
    ``model``'s rows take by their ``SHAPED_ROW``."""
    model, units = model.drop("max_context_tokens"), {k: v for k, v in units.items() if k != "max_context_tokens"}
    local = [c for c in formulas.computable_from(units, OUTPUTS) if c not in node_graphs.PER_KEY]

    def computed(rows: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
        whole = pl.concat([shaped[rows.get_column(SHAPED_ROW)], rows.drop(SHAPED_ROW, "model_type")],
                          how="horizontal")
        plan = formulas.plan(whole.lazy(), units, [*whole.columns, *local])
        frame, out = _per_log_seq(plan.frame, dict(plan.units), units)
        # keep what the rest of the plan reads: the cross product copies every model-side column
        keep = formulas.inputs_used(out, OUTPUTS) | {"workload", node_graphs.KEY}
        columns = [c for c in out if c in keep]
        # every column whole (a literal's comes out as one scalar) in one chunk: the slices' columns then chunk alike,
        # else polars' first operation on the side copied it whole (~470 MB, 0.7 s on the 300 M-row node sweep)
        return pl.DataFrame(frame.select(columns).collect().get_columns()).rechunk(), {c: out[c] for c in columns}

    # in slices: the models' columns and the plan's intermediate ones live for one slice at a time
    parts = [computed(model.slice(start, MODEL_SLICE_ROWS)) for start in range(0, max(model.height, 1),
                                                                               MODEL_SLICE_ROWS)]
    return pl.concat([frame for frame, _ in parts], rechunk=False), parts[0][1]


def _per_log_seq(frame: pl.LazyFrame, units: dict, inputs: dict) -> tuple[pl.LazyFrame, dict]:
    """s dX/ds of the step's FLOPs and K/V and activation elements (wall 21): each is a polynomial
    of degree <= 2 in the sequence length (linear layers, quadratic attention scores), so the
    central difference over s (1 +- 1/4) is its exact derivative."""
    frame = frame.with_columns((pl.col("seq_len") * SEQ_UP).alias("_s_up"),
                               (pl.col("seq_len") * SEQ_DOWN).alias("_s_dn"))
    for name, suffix in (("_s_up", "__sup"), ("_s_dn", "__sdn")):
        frame = formulas.plan(frame, inputs, SEQ_DEPENDENT, rebind={"seq_len": name}, suffix=suffix, keep=True).frame
    frame = frame.with_columns(per_log_seq(pl.col(f"{c}__sup"), pl.col(f"{c}__sdn")).alias(f"{c}_per_log_seq")
                               for c in SEQ_DEPENDENT)
    return frame, units | {f"{c}_per_log_seq": units[c] for c in SEQ_DEPENDENT}


def build_space(catalogs: Catalogs, spec: SweepSpec) -> Space:
    """Hardware x compute_dtype x workload joined with model x step x batch x seq_len."""
    sides.check_names(catalogs, spec)
    model, shaped = _model_side(catalogs, spec)
    return sides.join_sides(catalogs, spec, hardware(catalogs, spec), model,
                            finish_model=lambda rows, units: _precomputed(rows, units, shaped))


# The node study's GEMMs include encoder-sized ones (BERT-Large batch 1: 384 x 1024 x 1024) that a kernel fit with
# one 256 x 256 tile (gemm_fit.TILES, hipBLASLt's largest MI300X macro tile) prices at 32 of 304 CUs busy and
# about 0.01 of peak (5.8x the profile η's time, registry_data/research/r-node/NOTES.md §5), a regime its rows
# never measured (every MI300X row of the fit, aiter PR #1092's N = 1280, K = 8192 sweep, keeps >= 160 CUs busy)
# and one hipBLASLt avoids by choosing a smaller macro tile (that sweep's M = 192 GEMM: 4 GFLOP in 15 µs). The fit
# has no tile choice, so where its tile exceeds the 128 x 128 tile the NVIDIA fits use (and measured down to
# single-wave shapes), the node study keeps the profile η and says so.
NODE_MAX_FIT_TILE_AREA = 128.0 * 128.0
LARGE_TILE_BASIS = "profile η (kernel fit's one large tile: small GEMMs unmeasured)"


def hardware(catalogs: Catalogs, spec: SweepSpec) -> Side:
    """Accelerator x compute_dtype x workload, with its peak, eta, knobs and input pipeline."""
    rows = sides.select_rows(catalogs.hardware, spec.axes.hardware, spec.filters.hardware, "hardware")
    side = sides.hardware_side(rows.select("name", *HARDWARE), catalogs, spec, workloads=spec.axes.workload,
                               rules=[NO_BANDWIDTH, NO_PEAK, no_eta(("compute",))], kinds=("compute", "link"),
                               storage="compute", knobs=KNOBS, data="data")
    side.frame = k_half_at_activation_bytes(
        profile_where_tiles_exceed(side.frame, NODE_MAX_FIT_TILE_AREA, LARGE_TILE_BASIS))
    side = node_graphs.graph_side(side, catalogs, spec)
    side.frame, fabric_units = cluster_fabric(side.frame, catalogs, spec.data.cluster)
    side.units = side.units | fabric_units
    # the optimizer's shard ranks read hardware-side columns only (knob, devices, node size): one value per hardware
    # row, held by the dimension table, instead of a Float32 column computed and written per row (the node bench's
    # sweep: 1.13-1.15 -> 1.07-1.12 CPU s, CHANGELOG nodeq)
    ranks = formulas.plan(side.frame.lazy(), side.units, [HARDWARE_ONLY], keep=True)
    side.frame, side.units = ranks.frame.collect(), side.units | {HARDWARE_ONLY: ranks.units[HARDWARE_ONLY]}
    if spec.data.devices <= 1:  # one device reduces nothing: 0 on every row, a hardware-side constant (the
        # dimension table holds it) instead of a per-pair gather written per row (~15 % of the node bench)
        side.frame = side.frame.with_columns(pl.lit(0.0).alias(c) for c in DATA_PARALLEL)
        side.units = side.units | {c: unit("s") for c in DATA_PARALLEL}
    return side


def inputs(space: Space, hardware_side=None) -> tuple[pl.LazyFrame, dict]:
    """The frame and units the study's formulas read (the joined sides)."""
    return space.frame(hardware_side), space.units


def null_columns(space: Space) -> list[str]:
    """Output columns that are NULL on every row of ``space`` (the operations columns without a
    region axis, walls 8 and 9's without a storage or host pipeline): the narrow fact table leaves
    them out (``pipeline.runs.narrow``)."""
    return operations.null_outputs(space, OPERATIONS) + [
        c for c in input_pipeline.null_outputs(space.hardware_side) if c in OUTPUTS]


def build(space: Space, hardware_side=None) -> formulas.Plan:
    """The node study's lazy plan over ``space``, checked against its output schema. A writer's space
    (``grouped_by``: each accelerator's rows together) is planned in two cuts (``fit_cuts``): the accelerators
    with a kernel fit, then those without; each accelerator's rows keep their order (a writer slices one part per
    accelerator). Polars evaluates both branches of a ``where``: the unfitted cut (74 % of the bench spec's rows)
    takes compute_time_s's branch for a row without a fit (``UNFITTED``), so it neither joins nor computes the kernel
    model's per-GEMM η; a slice's kernel-fit efficiencies and footprint are computed on distinct pairs and gathered
    (``shared``). The same values (tests/studies/test_node_fit_cuts.py)."""
    cuts = fit_cuts(hardware_side, space.grouped_by) if hardware_side is not None and space.grouped_by else []
    if not any(absent for _, absent in cuts):
        cuts = [(hardware_side, [])]
    plans = []
    for side, absent in cuts:
        fitted = not absent and side is not None and any(
            c in side.columns and side[c].is_not_null().any() for c in KERNEL_FIT)
        names = [*(SHARED if fitted else []), *(FOOTPRINT if side is not None else []),
                 *(c for c in [*DATA_PARALLEL, *node_graphs.GRAPHED] if side is not None and c not in side.columns)]
        frame, units = node_graphs.planned(*shared(space, side, names))
        plans.append(operations.build(frame, units, SCHEMA, OPERATIONS, formulas.REGISTRY | UNFITTED if absent
                                      else formulas.REGISTRY, OUTPUTS, operations.has_regions(space, side)))
    check_plan(plans[0], SCHEMA)
    frames = [p.frame for p in plans]
    return plans[0] if len(plans) == 1 else formulas.Plan(pl.concat(frames, how="vertical", rechunk=False),
                                                          plans[0].units)


# The gradient all-reduce (walls/node_data_parallel): a function of the hardware row's devices and fabric and the
# model row's step and parameters, computed once per distinct pair and written (its SQL, the fit's size regimes and
# the hierarchical form, made the views' design_space_map ~1.6x slower as a QUERY_TIME column)
DATA_PARALLEL = ["gradient_allreduce_time_s", "gradient_exposed_time_s"]
HARDWARE_ONLY = "optimizer_shard_ranks"  # a function of hardware-side columns only (``hardware``)
# compute_time_s of the unfitted cut (gemm_units NULL on every row): its formula's branch for a row without a fit.
# Polars evaluates both branches of the formula's ``where``; the per-operator one read n_layers, step_multiplier,
# is_transformer and the fit's NULL columns (a 1 M-row unfitted chunk's fact table 0.040 -> 0.036 CPU s, nodesw)
UNFITTED: dict = {}
formulas.define("compute_time_s", formulas.parameters(at_one_eta_time_s), at_one_eta_time_s, UNFITTED)
