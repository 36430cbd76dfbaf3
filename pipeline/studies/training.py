"""The training study (walls 10, 11, 14, 15, 19): one training step of a decoder on a
layout of a named cluster, and the run it implies.

Grain of the output: one row per cluster x compute_dtype x model x seq_len x layout
(gpus = dp x tp x pp x cp, ep, microbatch, global_batch, virtual_stages, zero_stage,
recompute, sequence_parallel).

The cluster side (cluster x dtype, with its accelerator's figures and efficiencies) and
the model side (decoder x seq_len x layout) are small and eager; their product is lazy.
Layouts that cannot run are dropped and counted: on the model side (divisibility,
balance, schedule rules) and per pair of sides (cluster size, scale-up domain, links).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.model_patterns import COLUMNS as PATTERN_COLUMNS
from pipeline.spec import SweepSpec
from pipeline.studies import check_plan, input_pipeline, operations, sides, training_model_terms as model_terms
from pipeline.studies.constant_columns import one_valued
from pipeline.studies.kernels import ATTENTION_FIT
from pipeline.studies import training_reference as reference
from pipeline.studies.product import kept_pairs
from pipeline.studies.training_folded import folding
from pipeline.studies.training_reference import NODE_REFERENCE_UNITS  # single.py reads it here
from pipeline.studies.training_schema import OPERATIONS, OUTPUTS, QUERY_TIME, SCHEMA  # others read them here
from pipeline.studies.sides import NO_PEAK, SEQ_CONTEXT, TP_HEADS, Rule, Side, Space, no_eta
from pipeline.units import unit
from pipeline.walls.registries import TRAINING

FORMULAS = formulas.REGISTRY | TRAINING
KINDS = ("compute", "memory", "link")  # the efficiencies a training row uses (memory: element-wise kernels)

DROP_NOT_DECODER = sides.decoder_only("training").reason
DROP_CONTEXT = SEQ_CONTEXT.reason
DROP_GPUS = "tp x pp x cp does not divide gpus"
DROP_TP_HEADS = TP_HEADS.reason
DROP_BALANCE = "pp x virtual_stages stages are unbalanced beyond training.pp_balance_tolerance (or exceed the layers)"
DROP_INTERLEAVE = "virtual_stages > 1 needs pp > 1 and a number of microbatches divisible by pp"
DROP_MICROBATCHES = "global_batch is not a multiple of dp x microbatch"
DROP_CP = "cp does not divide seq_len"
DROP_EP = "ep > 1 needs an MoE model, ep dividing dp and the routed experts"
DROP_ZERO_PP = "ZeRO stage 3 / FSDP (weights gathered per microbatch) is not combined with pp > 1"
DROP_SP = "sequence parallelism needs tp > 1"
DROP_NO_PEAK = NO_PEAK.reason
DROP_CLUSTER = "gpus exceed the cluster"
DROP_DOMAIN = "tp exceeds the cluster's scale-up domain (training.tp_across_domains = false)"
NO_LINK = sides.no_link(pl.col("tp") * pl.col("cp"), "tp x cp", "an accelerator")
DROP_NO_LINK = NO_LINK.reason
DROP_NO_SCALEOUT = "layout spans scale-up domains of a cluster without a published scale-out bandwidth and latency"

ARCHITECTURE = ["query_dim", "value_dim", "is_mla", "attention_params_per_layer", "dense_mlp_params_per_layer",
                "expert_params_each", "router_params_per_layer", "norm_params_per_layer", "embedding_params",
                "lm_head_params", "final_norm_params", "params_computed", "params_active_per_token",
                "dense_layer_share"]
MODEL_INPUTS = ["model_type", "is_moe", "is_gated_mlp", "n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim",
                "ffn_dim", "vocab_size", "is_tied_embeddings", "has_linear_bias", "max_context_tokens", "n_experts",
                "norm_type", "n_experts_per_token", "n_shared_experts", "expert_ffn_dim", "n_dense_layers",
                "kv_lora_rank", "qk_rope_head_dim", *PATTERN_COLUMNS]
PER_SEQUENCE = ["layer_forward_flop_per_sequence", "layer_matmul_forward_flop_per_sequence",
                "mlp_forward_flop_per_sequence", "attention_core_forward_flop_per_sequence",
                "lm_head_forward_flop_per_sequence", "model_flop_per_sequence"]
LAYOUT = ["gpus", "dp", "tp", "pp", "cp", "ep", "microbatch", "global_batch", "num_microbatches",
          "virtual_stages", "zero_stage", "lora_rank"]
SHAPED = [*MODEL_INPUTS, *ARCHITECTURE]  # the model catalog's row, shaped
AXIS_UNITS = {c: unit("") for c in LAYOUT} | {"recompute": None, "sequence_parallel": None, "workload": None}
HARDWARE = ["vendor", "family", "memory_capacity_bytes", "usable_memory_bytes", "memory_bandwidth_bytes_per_s", "tdp_w",
            "scaleup_link_bandwidth_bytes_per_s", "scaleup_link_latency_s"]
# the kernel catalog's training attention time ratio of each precision a fused attention core runs in -> its column
ATTENTION_TIME_RATIOS = {"bf16": "attention_time_ratio_bf16", "fp8": "attention_time_ratio_fp8"}
LOW_PRECISION = ("fp8", "fp4")  # training dtypes whose recipes keep attention in bf16 (cluster_side)
KNOBS = ["activation_bytes_per_element", "gradient_bytes_per_param", "memory_reserve_fraction", "dp_overlap_fraction",
         "flash_attention", "dropout", "lm_head_on_last_stage", "mtp_layers", "working_weight_bytes_per_param",
         "fp8_dot_product_attention", "activation_func_fp8_input_store", "gradient_accumulation_fusion",
         "dp_sgd_step_multiplier", "host_cores_per_node", "train_tokens_budget", "restart_time_s",
         "cpu_offloading_num_layers", "cross_entropy_loss_fusion", "embedding_and_loss_in_pipeline_split",
         "expandable_segments"]


def _per_sequence(shaped: pl.DataFrame, units: dict, seq_lens: tuple[int, ...]) -> tuple[pl.DataFrame, dict]:
    """FLOPs of one sequence through each model at each seq_len, computed once before any layout
    (the shared operators at tp = pp = 1)."""
    side = shaped.join(pl.DataFrame({"seq_len": list(seq_lens)}), how="cross", maintain_order="left_right")
    side = side.with_columns(**{name: pl.lit(value) for name, value in ONE_DEVICE.items()})
    plan = formulas.plan(side.lazy(), per_sequence_units(units), PER_SEQUENCE, FORMULAS, keep=True)
    # only the sequence FLOPs: the layout's own operators (at its tp) are computed after the join
    frame = plan.frame.select(*shaped.columns, "seq_len", *PER_SEQUENCE)
    return frame.collect(), units | {"seq_len": unit("tok")} | {c: plan.units[c] for c in PER_SEQUENCE}


ONE_DEVICE = {"tp": 1.0, "weight_density": 1.0}  # the sequence FLOPs: the shared operators on one device


def per_sequence_units(units: dict) -> dict:
    """The units the sequence FLOPs are computed from: the shaped model's, seq_len's and ONE_DEVICE's."""
    return units | {"seq_len": unit("tok"), "tp": unit(""), "weight_density": unit("")}


def data_parallel_ranks(gpus, group):
    """Data-parallel ranks of ``gpus`` in groups of tp x pp x cp, and whether the groups divide
    them (numbers or polars expressions)."""
    return gpus // group, (gpus % group) == 0


def whole_batches(global_batch, dp, microbatch):
    """Microbatches per data-parallel rank per step, and whether they divide the global batch
    (numbers or polars expressions)."""
    per_step = dp * microbatch
    return global_batch // per_step, (global_batch % per_step) == 0


def layouts(spec: SweepSpec) -> pl.DataFrame:
    """Every combination of the layout axes, with dp (or gpus) and the number of microbatches."""
    axes = {name: getattr(spec.axes, name) for name in ("tp", "pp", "cp", "ep", "microbatch", "global_batch",
                                                        "virtual_stages", "zero_stage", "recompute",
                                                        "sequence_parallel", "lora_rank")}
    axes |= {"gpus": spec.axes.gpus} if spec.axes.dp is None else {"dp": spec.axes.dp}
    dtypes = {"recompute": pl.String, "sequence_parallel": pl.Boolean}
    frame = sides.cross(pl.DataFrame({"_": [0]}), {name: (values, dtypes.get(name, pl.Int64))
                                                    for name, values in axes.items()})
    group = pl.col("tp") * pl.col("pp") * pl.col("cp")
    if spec.axes.dp is None:
        dp, divides = data_parallel_ranks(pl.col("gpus"), group)
        frame = frame.with_columns(dp=dp, _divides=divides)
    else:
        frame = frame.with_columns(gpus=pl.col("dp") * group, _divides=pl.lit(True))
    count, whole = whole_batches(pl.col("global_batch"), pl.col("dp"), pl.col("microbatch"))
    return frame.with_columns(num_microbatches=count, _whole_batches=whole).drop("_")


def model_rules(spec: SweepSpec) -> list[Rule]:
    """The rules a layout must keep on its model, in the order a row is counted under."""
    n_layers, tp, pp, v, m = (pl.col(c) for c in ("n_layers", "tp", "pp", "virtual_stages", "num_microbatches"))
    stages = pp * v
    # Megatron-Core can count the embedding and the loss as a layer each when splitting
    # (TransformerConfig.account_for_embedding/loss_in_pipeline_split: "treated as a standard
    # transformer layer in the context of partition and placement for pipeline parallelism"):
    # L + 2 slots, whichever split balances better (Llama 3.1 405B's 126 layers on 16 x 8 stages)
    slots = n_layers + 2
    imbalance = pl.min_horizontal((n_layers / stages).ceil() * stages / n_layers,
                                  (slots / stages).ceil() * stages / slots) - 1.0
    return [sides.decoder_only("training"),
            SEQ_CONTEXT,
            Rule(DROP_GPUS, ~pl.col("_divides") | (pl.col("dp") < 1)),
            TP_HEADS,
            Rule(DROP_BALANCE, (stages > slots) | (imbalance > spec.training.pp_balance_tolerance + 1e-12)),
            Rule(DROP_MICROBATCHES, ~pl.col("_whole_batches") | (m < 1)),
            Rule(DROP_INTERLEAVE, (v > 1) & ((pp == 1) | ((m % pp) != 0))),
            Rule(DROP_CP, (pl.col("seq_len") % pl.col("cp")) != 0),
            Rule(DROP_EP, (pl.col("ep") > 1) & (~pl.col("is_moe") | ((pl.col("dp") % pl.col("ep")) != 0)
                                                | ((pl.col("n_experts") % pl.col("ep")) != 0))),
            Rule(DROP_ZERO_PP, (pl.col("zero_stage") >= 3) & (pp > 1)),
            Rule(DROP_SP, pl.col("sequence_parallel") & (tp == 1))]


def _model_side(catalogs: Catalogs, spec: SweepSpec, layouts_first: bool = False) -> Side:
    """Decoder x seq_len x layout, with the rules a layout must keep on its model; ``layouts_first``:
    the layouts that break a rule reading the layout alone are removed before the cross product.
    Otherwise the full rows are built for the pairs the rules keep only (``product.kept_pairs``)."""
    shaped, units = sides.models(catalogs, spec, SHAPED)
    side, units = _per_sequence(shaped, units, spec.axes.seq_len)
    kept, rules = layouts(spec), model_rules(spec)
    if layouts_first:
        alone = [r for r in rules if set(r.bad.meta.root_names()) <= set(kept.columns)]
        kept = kept.filter(pl.all_horizontal(~r.verdict() for r in alone))
        side = side.join(kept, how="cross", maintain_order="left_right")
        return Side(sides.categorical(side.with_columns(workload=pl.lit("training"))), units | AXIS_UNITS, rules)
    pairs, dropped = kept_pairs(side, kept, rules)
    # each pair's rows gathered by number: the joins on the pair numbers held two copies of the side (issue 15)
    frame = pl.concat([side[pairs["_m"]], kept[pairs["_l"]]], how="horizontal")
    return Side(sides.categorical(frame.with_columns(workload=pl.lit("training"))), units | AXIS_UNITS, rules,
                dropped, "training")


def _layout_floats(model: pl.DataFrame, units: dict) -> tuple[pl.DataFrame, dict]:
    """The kept layouts as floats (the formulas' quantities), without the rules' helper columns."""
    return model.drop("_divides", "_whole_batches").with_columns(pl.col(LAYOUT).cast(pl.Float64)), units


def attention_time_ratios(kernels: pl.DataFrame) -> pl.DataFrame:
    """Per accelerator, the kernel catalog's ``training_attention_time_ratio`` of bf16 and of fp8 (the precisions
    a training row's fused attention runs in: walls.training_compute.flop_time_per_microbatch_s); null where
    unmeasured (the cluster side reads it as 1)."""
    ratio = "training_attention_time_ratio"
    rows = kernels.filter(pl.col("efficiency_basis") != ATTENTION_FIT) if ratio in kernels.columns \
        else kernels.clear().with_columns(pl.lit(None, pl.Float64).alias(ratio))
    return rows.group_by("hardware").agg(pl.col(ratio).filter(pl.col("precision") == p).first().alias(c)
                                         for p, c in ATTENTION_TIME_RATIOS.items()).rename({"hardware": "accelerator"})


def cluster_side(catalogs: Catalogs, spec: SweepSpec) -> Side:
    """Named cluster x compute_dtype, with its accelerator's figures and efficiencies."""
    clusters = sides.select_rows(catalogs.clusters, spec.axes.cluster, {}, "cluster")
    if spec.axes.hardware is not None:
        clusters = sides.select_rows(clusters, None, {"accelerator": spec.axes.hardware}, "cluster")
    hw = catalogs.hardware.rename({"name": "accelerator"}).select("accelerator", *HARDWARE, "peak_bf16_flop_per_s")
    rows = clusters.drop("source_url", "last_verified", "notes", "source_quality",
                         strict=False).join(hw, on="accelerator", how="left").join(
        attention_time_ratios(catalogs.kernel_efficiency), on="accelerator", how="left")
    floats = ("accelerators_per_node", "nodes", "scaleup_domain_size", "nics_per_node")
    dtype = pl.col("compute_dtype").cast(pl.String)
    derived = {"cluster_gpus": (pl.col("nodes") * pl.col("accelerators_per_node")).cast(pl.Float64),
               "oversubscription_ratio": pl.col("oversubscription_ratio").fill_null(1.0),
               # Transformer Engine runs dot-product attention in the 16-bit precision under an FP8
               # recipe (fp8_dpa defaults to False; current and block scaling do not support FP8
               # attention: transformer_engine/common/recipe/__init__.py), so an 8- or 4-bit
               # training row's attention has the bf16 peak (the kernel model's non-matmul FLOPs).
               "attention_peak_flop_per_s": pl.when(dtype.is_in(LOW_PRECISION))
               .then(pl.col("peak_bf16_flop_per_s").fill_null(pl.col("peak_flop_per_s")))
               .otherwise(pl.col("peak_flop_per_s")),
               # Transformer Engine's FP8 (and narrower) GEMMs save their inputs for backward in 8 bits
               # (training_memory.activation_bytes_per_layer): 1 B, else the 16-bit activations' 2 B
               "saved_gemm_input_bytes_per_element": pl.when(
                   dtype.is_in(LOW_PRECISION)).then(1.0).otherwise(2.0),
               # an FP8 / FP4 recipe's GEMM-input casts (walls.training_quantize): bytes read per element (the
               # 16-bit tensor; NVFP4 reads it twice, its amax pass) and per quantized copy (FP8 1 B; NVFP4 0.5 B
               # + an E4M3 scale per 16 elements, arXiv:2509.25149 §2); 0 for 16-bit rows (no cast)
               "quantize_read_bytes_per_element": pl.when(dtype == "fp8").then(2.0).when(dtype == "fp4").then(4.0)
               .otherwise(0.0),
               "quantized_copy_bytes_per_element": pl.when(dtype == "fp8").then(1.0)
               .when(dtype == "fp4").then(0.5 + 1.0 / 16.0).otherwise(0.0),
               **{c: pl.col(c).cast(pl.Float64) for c in floats},
               **{c: pl.col(c).fill_null(1.0) for c in ATTENTION_TIME_RATIOS.values()}}
    return sides.hardware_side(rows, catalogs, spec, workloads=("training",), rules=[NO_PEAK, no_eta(KINDS)],
                               kinds=KINDS, knobs=KNOBS, data="training", derived=derived,
                               units={"cluster_gpus": unit(""), "attention_peak_flop_per_s": unit("FLOP/s"),
                                      "saved_gemm_input_bytes_per_element": unit("B/elem"),
                                      "quantize_read_bytes_per_element": unit("B/elem"),
                                      "quantized_copy_bytes_per_element": unit("B/elem")}
                               | {c: unit("") for c in ATTENTION_TIME_RATIOS.values()},
                               key="cluster", on="accelerator",
                               tables=("clusters", "hardware"))


def pair_rules(spec: SweepSpec) -> list[Rule]:
    """Checks that need both sides, in the order a row is counted under."""
    tp, gpus, domain = (pl.col(c) for c in ("tp", "gpus", "scaleup_domain_size"))
    no_out = pl.col("nic_bandwidth_bits_per_s").is_null() | pl.col("scaleout_latency_s").is_null() \
        | pl.col("nics_per_node").is_null()
    return [Rule(DROP_CLUSTER, gpus > pl.col("cluster_gpus")),
            Rule(DROP_DOMAIN, pl.lit(not spec.training.tp_across_domains) & (tp > domain)),
            NO_LINK,
            Rule(DROP_NO_SCALEOUT, (gpus > domain) & no_out)]


def build_space(catalogs: Catalogs, spec: SweepSpec, layouts_first: bool = False) -> Space:
    """Cluster x compute_dtype joined with decoder x seq_len x layout; layouts the cluster
    cannot hold are dropped per pair of sides. ``layouts_first``: layouts that break a rule of the
    layout alone (divisibility, whole microbatches, schedule) are removed before the cross product
    with the models: the same rows, in the same order, from a model side a few times smaller, but
    ``dropped`` no longer counts every dropped row (a Dask task's space: the driver counts)."""
    sides.check_names(catalogs, spec)
    sides.check_catalog_names("axes.cluster", spec.axes.cluster, catalogs.clusters)
    space = reference.with_shape_ids(sides.join_sides(
        catalogs, spec, cluster_side(catalogs, spec), _model_side(catalogs, spec, layouts_first),
        pair_rules=pair_rules(spec), accelerator="accelerator", finish_model=_layout_floats), FORMULAS)
    space = model_terms.with_model_terms(space, written(space), FORMULAS)
    return model_terms.with_subexpressions(space, lambda rewrite: build(space, rewrite=rewrite))


def written(space: Space) -> list[str]:
    """The columns a run of ``space`` writes (the operations columns where it has regions): the model-side terms
    they read are computed on the model side (``training_model_terms``)."""
    ops = () if operations.has_regions(space) else OPERATIONS
    return [c for c in OUTPUTS if c not in QUERY_TIME and c not in ops]


def node_reference(frame: pl.LazyFrame, units: dict, constants: dict | None = None,
                   rewrite: Callable | None = None) -> tuple[pl.LazyFrame, dict]:
    """``training_reference.node_reference`` with the study's formulas (for scaling_efficiency)."""
    return reference.node_reference(frame, units, FORMULAS, constants, rewrite)


def node_reference_values(values: dict, units: dict) -> dict:
    """``training_reference.node_reference_values`` with the study's formulas."""
    return reference.node_reference_values(values, units, FORMULAS)


def inputs(space: Space, hardware_side=None, constants: dict | None = None,
           tables: bool = True) -> tuple[pl.LazyFrame, dict]:
    """The frame and units the study's formulas read: the joined sides, the GEMM η per distinct shape
    (``training_reference.shape_etas``) and the node reference (its terms per distinct key: ``node_terms``);
    ``constants``: the frame's one-valued columns (computed here when not given); ``tables``: ``gathered``'s there."""
    groups = reference.shape_etas(space, FORMULAS, SHAPED) + reference.node_terms(space, FORMULAS)
    frame, units = reference.gathered(space, hardware_side, groups, tables)
    constants = one_valued(space, hardware_side) if constants is None else constants
    frame, units = node_reference(frame, units, constants, folding() if model_terms.large(space) else None)
    return model_terms.held(space, frame, units, constants, written(space), FORMULAS)  # the main plan's only


def null_columns(space: Space) -> list[str]:
    """Output columns that are NULL on every row of ``space`` (the operations columns without a region axis, walls 8
    and 9's without a storage or host pipeline): the narrow fact table leaves them out (``pipeline.runs.narrow``)."""
    return operations.null_outputs(space, OPERATIONS) + [
        c for c in input_pipeline.null_outputs(space.hardware_side) if c in OUTPUTS]


def build(space: Space, hardware_side=None, rewrite=None) -> formulas.Plan:
    """The training study's lazy plan, checked against its schema; given a ``rewrite`` (``formulas.plan``'s), its
    expressions only: on no rows, no table (``training_model_terms.with_subexpressions``)."""
    constants = one_valued(space, hardware_side)
    frame, units = inputs(space, hardware_side, constants, tables=rewrite is None)
    plan = operations.build(frame, units, SCHEMA, OPERATIONS, FORMULAS, OUTPUTS, operations.has_regions(
        space, hardware_side), constants, rewrite or model_terms.rewriter(space, units, hardware_side))
    if rewrite is None:
        check_plan(plan, SCHEMA)
    return plan
