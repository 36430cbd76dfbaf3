"""The serving study (walls 4-6 and TP/PP communication): LLM inference on tp x pp devices.

Grain of the output: one row per hardware x model x compute_dtype x weight_dtype x
kv_dtype x tp x pp x ep x batch x prompt_len x output_len (x cluster: ``serving_ep``).

The hardware side (accelerator x dtypes, with its three efficiencies) and the model side
(decoder x layout x batch x lengths) are small and eager; their product is lazy. Layouts
that cannot run are dropped and counted: on the model side (TP must divide the heads,
PP must not exceed the layers, the context must fit the model), and per pair of sides
(tp must fit one scale-up domain, whose link must be published; a layout beyond one domain
needs a cluster with a published scale-out: ``serving_ep``).
"""

from __future__ import annotations

from dataclasses import replace

import pandera.polars as pa
import polars as pl

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.model_patterns import COLUMNS as PATTERN_COLUMNS
from pipeline.spec import SweepSpec
from pipeline.studies import (demand_ratio, efficiency, elasticity, fraction, hardware_runs, headroom, operations,
                              per_key, result, serving_checked, sides)
from pipeline.studies import serving_disaggregated as disaggregated
from pipeline.studies import serving_ep as expert
from pipeline.studies import serving_lora as lora
from pipeline.studies import serving_precomputed as precomputed
from pipeline.studies import serving_prefix as prefix
from pipeline.studies import serving_speculative as speculative
from pipeline.studies.operations import COMMON, with_operations
from pipeline.studies.serving_costs import PER_MILLION_TOKENS
from pipeline.studies.serving_lengths import LENGTHS, SPREAD, lengths
from pipeline.studies.serving_load import (  # noqa: F401  (re-exported: single, tests)
    LOAD_ITERATIONS,
    LOAD_UNITS,
    load_batch_cap,
    load_prefill_batch,
    next_load_batch,
    tpot_clustering,
    under_load,
    under_load_values,
)
from pipeline.studies.sides import NO_BANDWIDTH, NO_MEMORY_FRACTION, NO_PEAK, TP_HEADS, Rule, Side, Space, no_eta
from pipeline.units import unit
from pipeline.walls.operators import OPERATORS
from pipeline.walls.registries import SERVING
from pipeline.walls.serving import PHASES

TPOT_TAIL = "wall 7: the prefills a request decodes beside (Borel-Tanner), gamma by Wilson-Hilferty; simulated"
KINDS = ("compute", "memory", "link")  # the efficiencies a serving row uses
NOT_DECODER = sides.decoder_only("serving")
PP_LAYERS = Rule("pp exceeds the model's layers", pl.col("pp") > pl.col("n_layers"))
CONTEXT = sides.context(pl.col("prompt_len") + pl.col("output_len"), "prompt_len + output_len")
DOMAIN = expert.TP_DOMAIN  # attention TP stays in one scale-up domain; EP and PP may cross it (serving_ep)
NO_LINK = sides.no_link(expert.DEVICES, "tp x pp", "hardware")
# the manifest's keys
DROP_NOT_DECODER = NOT_DECODER.reason
DROP_NO_PEAK, DROP_NO_BANDWIDTH, DROP_TP_HEADS = (r.reason for r in (NO_PEAK, NO_BANDWIDTH, TP_HEADS))
DROP_PP_LAYERS = PP_LAYERS.reason
DROP_CONTEXT = CONTEXT.reason
DROP_DOMAIN = DOMAIN.reason
DROP_NO_LINK = NO_LINK.reason
DROP_NO_MEMORY_FRACTION = NO_MEMORY_FRACTION.reason
DROP_EP_NOT_MOE, DROP_EP_EXPERTS, DROP_EP_TP = (r.reason for r in expert.MODEL_RULES[:3])
DROP_NO_CLUSTER, DROP_NO_SCALEOUT, DROP_CLUSTER_SIZE = (r.reason for r in expert.PAIR_RULES)

ARCHITECTURE = ["query_dim", "value_dim", "is_mla", "attention_params_per_layer", "dense_mlp_params_per_layer",
                "expert_params_each", "router_params_per_layer", "norm_params_per_layer", "embedding_params",
                "lm_head_params", "final_norm_params", "params_computed"]
MODEL_INPUTS = ["model_type", "is_moe", "n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim",
                "vocab_size", "is_tied_embeddings", "has_linear_bias", "max_context_tokens", "n_experts", "norm_type",
                "n_experts_per_token", "n_shared_experts", "expert_ffn_dim", "n_dense_layers", "kv_lora_rank",
                "qk_rope_head_dim", *PATTERN_COLUMNS]
HARDWARE = ["vendor", "family", "category", "memory_capacity_bytes", "usable_memory_bytes", "peak_bf16_flop_per_s",
            "peak_fp16_flop_per_s", "peak_fp8_flop_per_s", "memory_bandwidth_bytes_per_s", "scaleup_domain_size",
            "scaleup_link_bandwidth_bytes_per_s", "scaleup_link_latency_s", "host_link_bandwidth_bytes_per_s", "tdp_w"]
KNOBS = ["kv_read_per_query_head", "custom_allreduce_max_bytes", "prefill_eager_host_per_kernel_s", "window_kv_cache",
         "launch_overhead_per_kernel_s", "kernels_per_cnn_layer", "prefill_chunk_tokens", "dequant_overhead_fraction",
         "moe_row_copy", "kv_block_tokens", "kernels_per_transformer_layer", "decode_cuda_graphs", "scheduler_steps",
         "scheduler_overhead_per_iteration_s", "step_multiplier", "allow_weight_streaming", "weight_effective_bits",
         "window_attention_models", "moe_tile_m"]
AXES = {"tp": ("", pl.Float64), "pp": ("", pl.Float64), "batch": ("", pl.Int64), "prompt_len": ("tok", pl.Int64),
        "output_len": ("tok", pl.Int64), "reasoning_tokens": ("tok", pl.Int64), "replicas": ("", pl.Float64),
        "request_rate": ("1/s", pl.Float64), "concurrency": ("", pl.Float64), "prune_ratio": ("", pl.Float64)} | (
    speculative.AXES) | prefix.AXES | lora.AXES | expert.AXES | disaggregated.AXES
AXIS_UNITS = {"teacher": None, "teacher_params_computed": unit("param"), "workload": None,
              "weight_density": unit("")} | {name: unit(u) for name, (u, _) in AXES.items()} | {
    name: None if u is None else unit(u) for name, u in SPREAD.items()}
SHAPED = [*MODEL_INPUTS, *ARCHITECTURE]  # the model catalog's row, shaped
MODEL_RULES = [NOT_DECODER, TP_HEADS, PP_LAYERS, CONTEXT, *expert.MODEL_RULES, disaggregated.ONE_POOL]
PAIR_RULES = [DOMAIN, *expert.PAIR_RULES, NO_LINK, disaggregated.NO_SCALEOUT]


def _model_side(catalogs: Catalogs, spec: SweepSpec) -> Side:
    """Decoder (and distilled student) x layout x batch x lengths x load x pruning."""
    shaped, units = sides.models(catalogs, spec, SHAPED)
    shaped = shaped.with_columns(teacher=pl.col("model"), teacher_params_computed=pl.col("params_computed"))
    if spec.axes.distill_to:  # wall 13: each student stands in for every larger selected model
        students, _ = sides.shaped_models(sides.select_rows(catalogs.models, spec.axes.distill_to, {}, "model"),
                                          SHAPED)
        teachers = shaped.select("teacher", "teacher_params_computed")
        pairs = students.join(teachers, how="cross").filter(
            pl.col("params_computed") < pl.col("teacher_params_computed"))
        shaped = pl.concat([shaped, pairs.select(shaped.columns)])
    shaped, units = efficiency.with_window_attention(shaped, units, catalogs.efficiency_profiles)
    values = {"request_rate": spec.axes.request_rate or (None,), "concurrency": spec.axes.concurrency or (None,)}
    axes = {name: (values.get(name, getattr(spec.axes, name)), dtype) for name, (_, dtype) in AXES.items()}
    before = list(AXES)[:list(AXES).index("prompt_len")]
    side = sides.cross(shaped, {name: axes[name] for name in before})
    side = side.join(lengths(catalogs, spec), how="cross", maintain_order="left_right")
    side = sides.cross(side, {name: v for name, v in axes.items() if name not in (*before, *LENGTHS)})
    side = side.with_columns(workload=pl.lit("inference"), weight_density=weight_density(pl.col("prune_ratio")))
    side, units = speculative.draft_side(sides.categorical(side), units, catalogs, spec, SHAPED)
    return Side(side, units | AXIS_UNITS, MODEL_RULES)


def weight_density(prune_ratio):
    """Share of every layer matrix kept after structured pruning (a number or a polars expression)."""
    return 1.0 - prune_ratio


def build_space(catalogs: Catalogs, spec: SweepSpec) -> Space:
    """Hardware x dtypes joined with decoder x layout x lengths; layouts a scale-up domain
    cannot hold are dropped per pair of sides."""
    sides.check_catalog_names("axes.distill_to", spec.axes.distill_to, catalogs.models)
    sides.check_catalog_names("axes.dataset", spec.axes.dataset, catalogs.workloads)
    if spec.axes.precision_tied:  # one axis sets all three dtypes: report it once, under its own name
        untied = replace(spec, axes=replace(spec.axes, compute_dtype=()))
        sides.check_names(catalogs, untied, extra=[("axes.precision", spec.axes.compute_dtype)])
        sides.check_names(catalogs, spec)
    else:
        sides.check_names(catalogs, spec, extra=[("axes.weight_dtype", spec.axes.weight_dtype),
                                                 ("axes.kv_dtype", spec.axes.kv_dtype)])
    space = sides.join_sides(catalogs, spec, hardware(catalogs, spec), _model_side(catalogs, spec),
                             pair_rules=PAIR_RULES)
    space = precomputed.precompute(space, OUTPUTS, FORMULAS)  # the model-only columns, once per model-side row
    # one chunk a column: the join gathers the model-side columns into millions of rows, slower from a column in
    # two chunks (the precomputed ones; the bench spec's fact columns 3.12 -> 2.86 CPU s warm)
    return replace(space, model_side=space.model_side.rechunk())


def streamed_space(space: Space) -> Space:
    """``space`` whose sides carry the class ids of the groups ``build`` gathers (``per_key.numbered``): a sweep's
    plan, built once and streamed over pieces of the sides (``runs.streamed``), gathers by the ids its rows bring."""
    return per_key.numbered(space, precomputed.groups(space, _computed(space), FORMULAS, SHARED, _written(space)))


def hardware(catalogs: Catalogs, spec: SweepSpec) -> Side:
    """Accelerator x compute, weight and KV dtypes, with its peak, three efficiencies and knobs."""
    rows = sides.select_rows(catalogs.hardware, spec.axes.hardware, spec.filters.hardware, "hardware")
    rows = expert.with_cluster(rows.select("name", *HARDWARE), catalogs, spec)  # the scale-out of multi-node rows
    return sides.hardware_side(rows, catalogs, spec, workloads=("inference",), units=expert.CLUSTER_UNITS,
                               rules=[NO_BANDWIDTH, NO_PEAK, no_eta(KINDS), NO_MEMORY_FRACTION], kinds=KINDS,
                               storage="axes", knobs=KNOBS, memory_fraction=True,
                               derived={"scaleup_domain_size": pl.col("scaleup_domain_size").cast(pl.Float64)})


class ServingCoreSchema(pa.DataFrameModel):
    hardware: pl.Categorical = result(None, "accelerator", "hardware catalog", nullable=False)
    vendor: pl.Categorical = result(None, "manufacturer", "hardware catalog", nullable=False)
    family: pl.Categorical = result(None, "architecture family", "hardware catalog", nullable=False)
    model: pl.Categorical = result(None, "decoder model", "models catalog", nullable=False)
    teacher: pl.Categorical = result(None, "the model this row stands in for (itself, or the larger model a "
                                     "distilled student replaces: axes.distill_to)", "wall 13", nullable=False)
    compute_dtype: pl.Categorical = result(None, "precision of compute and activations", "sweep axis", nullable=False)
    weight_dtype: pl.Categorical = result(None, "storage precision of weights", "sweep axis", nullable=False)
    kv_dtype: pl.Categorical = result(None, "storage precision of the KV cache", "sweep axis", nullable=False)
    tp: float = result("", "tensor-parallel devices", "sweep axis", nullable=False)
    pp: float = result("", "pipeline stages", "sweep axis", nullable=False)
    batch: int = result("", "concurrent sequences", "sweep axis", nullable=False)
    prompt_len: int = result("tok", "prompt tokens per sequence", "sweep axis", nullable=False)
    output_len: int = result("tok", "answer tokens per sequence", "sweep axis", nullable=False)
    dataset: pl.Categorical = result(None, "workloads catalog row whose mean lengths (rounded) set prompt_len and "
                                     "output_len (null: the axes' lengths)", "sweep axis")
    reasoning_tokens: int = result("tok", "thinking tokens decoded before the answer (wall 12)", "sweep axis",
                                   nullable=False)
    request_rate: float = result("1/s", "requests per second to the deployment (null: offline)", "sweep axis")
    replicas: float = result("", "copies of the layout sharing the requests", "sweep axis", nullable=False)
    concurrency: float = result("", "users of a closed loop, shared by the replicas (null: an open loop)", "sweep axis")
    prune_ratio: float = fraction("share of every layer matrix removed by structured pruning (wall 13)",
                                "sweep axis", nullable=False)
    compression_ratio: float = result("", "the teacher's 16-bit dense weights / stored weights: 2 B / weight "
                                      "bytes / (1 - s) x teacher params / params", "wall 13")
    peak_flop_per_s: float = result("FLOP/s", "dense peak at compute_dtype", "hardware catalog")
    eta_compute: float = fraction("achieved fraction of peak FLOP/s", "efficiency profile")
    efficiency_basis: pl.Categorical = result(
        None, "what sets a transformer's matmul η (attention, norms and CNNs keep the profile's): kernel fit "
        "(GEMM shape model), profile η or override η", "kernel_efficiency catalog")
    eta_memory: float = fraction("achieved fraction of memory bandwidth", "efficiency profile")
    eta_link: float = fraction("achieved fraction of scale-up link bandwidth", "efficiency profile")
    comm_basis: pl.Categorical = result(None, "what sets the TP all-reduce within a scale-up domain: the "
                                        "collectives catalog's fit (fabric, sources) or link x eta_link",
                                        "collectives catalog", nullable=False)
    params_computed: float = result("param", "total weights", "layer-by-layer count")
    weights_per_device_bytes: float = result("B", "resident weights on the fullest device", "wall 5")
    kv_cache_bytes: float = result("B", "KV cache of the batch at prompt + output length, all devices incl. "
                                   "replicated KV heads", "2·L·H_kv·d_head·tokens·batch·bytes (exact)")
    kv_cache_bytes_per_device: float = result("B", "one device's share of its group's KV cache", "wall 5")
    activation_bytes_per_device: float = result("B", "prefill working set of one layer", "wall 5")
    memory_limit_bytes: float = result("B", "usable device memory: the driver-reported total, else the as-built "
                                       "capacity", "hardware catalog usable_memory_bytes")
    memory_fraction: float = fraction("share the server takes (of memory_limit_bytes, or of the memory free after "
                                      "weights and activations: memory_fraction_of_free)",
                                      "efficiency profile (framework default) or serving.memory_fraction")
    memory_fraction_of_free: bool = result(None, "memory_fraction is a share of the free memory (TensorRT-LLM), "
                                           "not of the total (vLLM)", "efficiency profile")
    memory_reserve_bytes: float = result("B", "memory the server leaves untouched: (1 - memory_fraction) x the memory "
                                         "it is a share of", "vLLM / TensorRT-LLM docs")
    memory_per_device_bytes: float = result("B", "weights + KV + activations + reserve", "wall 5")
    memory_headroom_bytes: float = headroom("memory_limit_bytes - memory_per_device_bytes", "wall 5")
    fits_in_hbm: bool = result(None, "everything fits in device memory", "wall 5", nullable=False)
    weight_streaming: bool = result(None, "weights stream over the host link (wall 6)", "wall 6", nullable=False)
    is_feasible: bool = result(None, "fits, or streams its weights", "wall 5", nullable=False)
    infeasible_reason: pl.Categorical = result(None, "why not", "wall 5")
    max_batch_static: float = result("", "sequences that fit reserving max context each", "wall 5")
    max_batch_paged: float = result("", "sequences that fit with a paged KV cache", "Kwon et al. 2023")
    kv_held_tokens: float = result("tok", "K/V tokens a sequence keeps per layer (layer mean)", "vLLM hybrid KV cache")
    max_context_fit_tokens: float = result("tok", "largest context each of the batch's sequences can reach in the "
                                           "memory left for KV (<= max_context_tokens)", "wall 5")
    prefill_attention_class_time_s: float = result("s", "QKV, attention and output projection over all layers",
                                                   "operator roofline")
    prefill_mlp_class_time_s: float = result("s", "MLP over all layers (MoE: + routing kernels)", "operator roofline")
    prefill_other_class_time_s: float = result("s", "norms, residuals and LM head", "operator roofline")
    prefill_communication_time_s: float = result("s", "TP all-reduces + PP transfers + EP all-to-alls", "α-β")
    decode_attention_class_time_s: float = result("s", "QKV, attention (KV read) and output projection",
                                                  "operator roofline")
    decode_mlp_class_time_s: float = result("s", "MLP over all layers (MoE: + routing kernels)", "operator roofline")
    decode_other_class_time_s: float = result("s", "norms, residuals and LM head", "operator roofline")
    decode_communication_time_s: float = result("s", "TP all-reduces + PP transfers + EP all-to-alls", "α-β")
    decode_dequant_overhead_s: float = result("s", "dequantization of narrow weights", "seed: -30 % on INT8 ITL")
    launch_overhead_s: float = result("s", "eager kernel launches per pass (prefill's)", "wall 3")
    decode_launch_overhead_s: float = result("s", "launches per decode pass: graph replays where the framework "
                                             "captures decode, else eager", "efficiency profiles")
    weight_stream_time_s: float = result("s", "weights over the host link per pass", "wall 6")
    ttft_s: float = result("s", "time to first token (prefill + communication + launches)", "wall 4")
    itl_s: float = result("s", "inter-token latency at the mean context", "wall 4")
    e2e_latency_s: float = result("s", "ttft + (output_len - 1) x (itl + attention_dp_stall_s)", "wall 4")
    tokens_per_s: float = result("tok/s", "generated tokens per second, whole system", "wall 4")
    tokens_per_s_per_device: float = result("tok/s", "tokens_per_s / devices_per_replica", "wall 4")
    batch_tokens_per_s: float = result("tok/s", "batch x generated tokens / the wave's busy time (e2e latency "
                                       "without pp): throughput with prefill", "wall 4")
    bound: pl.Categorical = result(None, "binding constraint of decode: compute, memory, network, overhead, "
                                   "host link or capacity (does not fit); words: pipeline.walls.bounds",
                                   "largest time term")
    ttft_bound: pl.Categorical = result(None, "binding constraint of prefill (the words of bound)", "largest time term")
    batch_in_flight: float = result("", "sequences in flight per replica under load (Little's law)", "wall 7")
    capacity_requests_per_s: float = result("1/s", "requests/s one replica sustains at its largest batch", "wall 7")
    utilization: float = demand_ratio("request_rate / (replicas x capacity)", "wall 7")
    is_stable: bool = result(None, "the queue does not grow without bound", "wall 7")
    wait_probability: float = fraction("probability an arrival finds its replica busy (waits for an iteration "
                                       "boundary)", "wall 7: 1 - (1 - rho) e^-b")
    ttft_p50_s: float = result("s", "median time to first token under load: iteration residual + prefill in the "
                               "next iteration beside a decode pass and other arrivals' prefill",
                               "wall 7: continuous batching (Orca, Sarathi-Serve), checked by simulation")
    ttft_p99_s: float = result("s", "99th-percentile time to first token under load", "wall 7: continuous "
                               "batching, checked by simulation")
    ttft_mean_s: float = result("s", "mean time to first token under load", "wall 7: continuous batching, checked "
                                "by simulation")
    tpot_under_load_s: float = result("s", "time per output token under load", "wall 7")
    tpot_p50_s: float = result("s", "median of one request's time per output token under load", TPOT_TAIL)
    tpot_p99_s: float = result("s", "99th percentile of one request's time per output token under load", TPOT_TAIL)
    request_service_time_cv: float = result(
        "", "coefficient of variation of one request's service time over the dataset's lengths (null: no dataset "
        "or no published spread; wall 7's M/M/c takes 1)", "wall 7: M/G/1 C_s (Kleinrock 1975, §5.6)")
    elasticity_peak_flop_per_s: float = elasticity("d log ITL / d log peak FLOP/s (= eta_compute's)")
    elasticity_memory_bandwidth: float = elasticity("d log ITL / d log memory bandwidth")
    elasticity_link_bandwidth: float = elasticity("d log ITL / d log scale-up link bandwidth")
    elasticity_link_latency: float = elasticity("d log ITL / d log scale-up link latency")
    elasticity_launch_overhead: float = elasticity("d log ITL / d log launch overhead per kernel")
    elasticity_batch: float = elasticity("d log ITL / d log batch (null for MoE)")
    elasticity_prompt_len: float = elasticity("d log ITL / d log prompt length")
    binding_input: pl.Categorical = result(None, "the input whose change moves ITL most", "wall 21")

    class Config:
        name = "serving"
        strict = True


SCHEMA = with_operations(disaggregated.with_columns(expert.with_columns(lora.with_columns(prefix.with_columns(
    speculative.with_columns(ServingCoreSchema))))), PER_MILLION_TOKENS)
OUTPUTS = list(SCHEMA.to_schema().columns)
OPERATIONS = [*COMMON, *PER_MILLION_TOKENS]
LOAD = ["batch_in_flight", "capacity_requests_per_s", "utilization", "is_stable", "wait_probability",
        "ttft_p50_s", "ttft_p99_s", "ttft_mean_s", "tpot_under_load_s", "tpot_p50_s", "tpot_p99_s",
        "request_service_time_cv"]
BREAKDOWN = [f"{p}_{op}_{part}" for p in PHASES for op in (*OPERATORS, "lm_head")
             for part in ("flop", "bytes", "time_s", "bound")] + [f"{p}_moe_routing_time_s" for p in PHASES]
FORMULAS = formulas.REGISTRY | SERVING
# Each operator's roofline per phase, and each collective's time, reads a few model-side columns (a few thousand
# distinct rows of tens of thousands: not the batch and lengths an operator does not see): ``precomputed.joined``
# computes each group once per hardware row x those rows and gathers it into every row. So do the KV and activation
# bytes and decode attention's η, FLOPs and bytes (a hardware side's dtypes and knobs: 1-11 classes of it; listed
# first, so a later group that reads them still has them where its own table is too large to share: decode
# attention's roofline beyond ``per_key.MAX_TABLE_ROWS``; at the bench spec's 9 batch sizes it is 15,084 x 82 pairs,
# shared), the LoRA kernels and the EP all-to-alls of prefill (`mlsys bench --study serving`: 35-345 k pairs, 816 k
# LoRA's, for 3.2 M rows). Decode attention's moving parts (what the elasticities read of it, ``serving_sensitivity``)
# sit with its roofline, and a sequence's paged KV bytes (``batching``) on their own few thousand pairs.
ATTENTION_MOVING = ["decode_attention_batch_moving_time_s", "decode_attention_context_moving_time_s"]
SHARED = [["kv_cache_bytes_per_device"], ["activation_bytes_per_device"], ["decode_attention_eta_compute"],
          ["decode_attention_flop"], ["decode_attention_bytes"], ["decode_attention_kv_bytes"],
          *([f"{p}_{op}_time_s", f"{p}_{op}_is_compute_bound"]
            + (ATTENTION_MOVING if (p, op) == ("decode", "attention") else [])
            for p in PHASES for op in (*OPERATORS, "lm_head")),
          *([f"{p}_{part}"] for p in PHASES for part in ("moe_routing_time_s", "tp_comm_time_s", "pp_comm_time_s")),
          ["prefill_lora_time_s"], ["prefill_alltoall_time_s"], ["kv_bytes_per_paged_sequence"]]
# Columns a run writes nowhere (issue 15 item 1; as ``node.QUERY_TIME``): the views of results.duckdb and
# ``pipeline.runs.scan_run`` compute them by the same formulas (``FORMULAS``: SQL there, polars here). Only columns whose
# formula chain is plain: no wall-7 fixed point, no rebound input (speculative, disaggregated, draft passes); the memory
# terms (exact from the 64-bit dimension tables), launches, the throughputs of ttft_s / itl_s, the EP and LoRA terms.
QUERY_TIME = ["compression_ratio", "weights_per_device_bytes", "kv_cache_bytes", "kv_cache_bytes_per_device",
              "activation_bytes_per_device", "memory_limit_bytes", "memory_reserve_bytes", "memory_per_device_bytes",
              "memory_headroom_bytes", "weight_streaming", "infeasible_reason", "max_batch_static", "max_batch_paged",
              "kv_held_tokens", "max_context_fit_tokens", "launch_overhead_s", "decode_launch_overhead_s",
              "weight_stream_time_s", "e2e_latency_s", "tokens_per_s", "tokens_per_s_per_device", "batch_tokens_per_s",
              "elasticity_launch_overhead", "lora_bytes_per_device", "prefill_lora_time_s", "decode_lora_time_s",
              "expert_imbalance", "pp_crossing_boundaries", "scaleout_bandwidth_per_gpu_bytes_per_s", "ep_alpha_s",
              "ep_beta_bytes_per_s", "decode_alltoall_bytes_per_rank", "prefill_alltoall_time_s",
              "decode_alltoall_time_s", "prefill_batch", "prefill_input_tokens_per_s_per_device",
              "decode_output_tokens_per_s_per_device"]


def _run_keys(space: Space) -> list[str] | None:
    """The hardware columns a plan of ``space`` reads (its computed columns', the pair rules', the per-key classes':
    ``hardware_runs``); None where the frame reads more than its units say (wall 7, speculation, disaggregation,
    regions) or is not the sides' product (a streamed source, validation's rows)."""
    if (type(space).frame is not Space.frame or is_under_load(space) or speculative.is_speculating(space.model_side)
            or disaggregated.is_disaggregating(space.model_side) or operations.has_regions(space)):
        return None

    def keys() -> list[str]:
        groups = precomputed.groups(space, _computed(space), FORMULAS, SHARED, _written(space))
        gathered = per_key.gathered(space, space.hardware_side.head(0), groups)[1]
        units = _inputs(space, space.hardware_side.head(0), LOAD_ITERATIONS)[1]  # + prefill_batch, null passes
        read = formulas.inputs_used(gathered, [c for c in [*OUTPUTS, *BREAKDOWN, *units] if c not in gathered],
                                    FORMULAS) | {k for g in groups for k in g.hardware}
        read |= set(() if space.row_filter is None else space.row_filter.meta.root_names()) | {space.grouped_by}
        return [c for c in space.hardware_side.columns if c in read]
    return per_key.cached(("run keys", space.grouped_by), (space.hardware_side, space.model_side, space.units), keys)


def is_under_load(space: Space) -> bool:
    """A request rate or a closed loop's users in the space: wall 7 applies."""
    return bool(space.model_side["request_rate"].is_not_null().any() or is_closed_loop(space))


def is_closed_loop(space: Space) -> bool:
    """Users in a closed loop (the concurrency axis): wall 7 solves their request rate (``closed_loop_load``)."""
    return bool(space.model_side["concurrency"].is_not_null().any())


def inputs(space: Space, hardware_side=None, load_iterations: int = LOAD_ITERATIONS) -> tuple[pl.LazyFrame, dict]:
    """The frame and units the study's formulas read: the joined sides and, under a request
    rate, wall 7's inputs. The units leave out the precomputed model-side columns that depend on
    ``batch`` (``serving_precomputed``), so a caller may evaluate the formulas again at another batch."""
    frame, units = _inputs(space, hardware_side, load_iterations)
    return frame, precomputed.rebindable(units, ["batch"], FORMULAS)


def _inputs(space: Space, hardware_side, load_iterations: int) -> tuple[pl.LazyFrame, dict]:
    frame, units = precomputed.joined(space, hardware_side, _computed(space), FORMULAS, SHARED, _written(space))
    frame, units = speculative.inputs(frame, units, space.model_side, SHAPED)
    frame, units = disaggregated.inputs(frame, units, space.model_side)
    if not is_under_load(space):
        return frame, units
    frame, units = precomputed.batch_free(frame, units, FORMULAS, LOAD_UNITS)  # read by every pass of wall 7
    return under_load(frame, units, load_iterations, closed=is_closed_loop(space))


def _computed(space: Space) -> list[str]:
    """The output columns the plan computes (not null: ``_off``, ``operations.null_outputs``)."""
    off = set(null_columns(space))
    return [c for c in OUTPUTS if c not in off]


def _written(space: Space) -> list[str]:
    """The computed columns a run writes (not ``QUERY_TIME``'s): the per-key columns only the others read are
    gathered apart, which a run's plan leaves out."""
    return [c for c in _computed(space) if c not in QUERY_TIME]


def null_columns(space: Space) -> list[str]:
    """Output columns that are NULL on every row of ``space``: wall 7's without a request rate, the
    speculative ones where nothing speculates, the operations ones without a region axis (the
    narrow fact table leaves them out, ``pipeline.runs.narrow``)."""
    return _off(space) + operations.null_outputs(space, OPERATIONS)


def _off(space: Space) -> list[str]:
    return ([] if is_under_load(space) else LOAD) + speculative.not_applying(space.model_side) + (
        disaggregated.not_applying(space.model_side))


def build(space: Space, hardware_side=None, breakdown: bool = False,
          load_iterations: int = LOAD_ITERATIONS) -> formulas.Plan:
    """The serving study's lazy plan, checked against its schema (``breakdown`` adds per-operator
    columns). With a request rate in the space, wall 7's columns are computed, else null."""
    hw = space.hardware_side if hardware_side is None else hardware_side
    keys = _run_keys(space) if hw.height > 1 else None  # hardware rows the plan cannot tell apart: computed once
    reduced = None if keys is None else hardware_runs.runs(hw, keys)
    frame, units = _inputs(space, hardware_side if reduced is None else reduced, load_iterations)
    off = _off(space)  # null columns
    run = [] if reduced is None else [hardware_runs.FIRST, hardware_runs.ROWS]
    wanted = [c for c in OUTPUTS if c not in off] + (BREAKDOWN if breakdown else []) + run
    plan = operations.build(frame, units | dict.fromkeys(run), SCHEMA, OPERATIONS, FORMULAS, wanted,
                            operations.has_regions(space, hardware_side))
    out_units = dict(plan.units)
    if off:
        dtypes = SCHEMA.to_schema().columns
        plan = formulas.Plan(plan.frame.with_columns(
            pl.lit(None, dtype=dtypes[c].dtype.type).alias(c) for c in off), out_units)
        out_units |= {c: (None if (u := dtypes[c].metadata.get("unit")) is None else unit(u)) for c in off}
    frame = plan.frame if reduced is None else hardware_runs.expanded(
        plan.frame, hw, [c for c in OUTPUTS if c in hw.columns and c not in keys])
    columns = OUTPUTS + (BREAKDOWN if breakdown else [])  # one expression (``paired``'s figures)
    plan = formulas.Plan(frame.select(pl.col(columns)), {c: out_units[c] for c in columns})
    serving_checked.checked(space, hw, (breakdown, load_iterations, reduced is None), plan, OUTPUTS, SCHEMA)  # once
    return plan
