"""Wall 21 (sensitivity) of the serving study's inter-token latency.

ITL = max(operators + dequantization, weight streaming) + communication + launches. Each
operator time is FLOPs / (peak x eta) or bytes / (bandwidth x eta_memory), whichever binds,
so d log ITL / d log peak is -(compute-bound operator time)/ITL, and likewise for bandwidth;
the ring's alpha and beta terms give the link's (exact away from regime changes). An MoE MLP's
compute-bound GEMMs take ||(c, m)||_p (``grouped_gemm``): their time splits between the two by
the norm's shares, (c / T)^p to the peak and (m / T)^p to the bandwidth.

Workload inputs: for a dense model every decode operator's FLOPs and non-weight bytes grow in
proportion to the sequences of a microbatch (KV read, activations, logits), its weights do not;
the collectives' bytes grow with it too. Only attention depends on the context: its FLOPs and
the K/V it reads grow with it.
"""

from __future__ import annotations

from functools import partial

from pipeline.units import E, Plain, UExpr, maximum, only_where, total, where
from pipeline.walls.bounds import category
from pipeline.walls.operators import OPERATORS
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import define_serving, serving_column
from pipeline.walls.serving import times_of_bound


def _matmul_share(kind: str, fraction: UExpr, quantized: Plain, n_layers: UExpr, *args: UExpr) -> UExpr:
    """The dequantization overhead's part that scales like the ``kind``-bound quantized matmul operators (the
    layers'; the LM head is not quantized: ``fidelity``)."""
    return where(quantized, fraction * n_layers * total(*times_of_bound(kind, args)), 0)


_MATMULS = [c for op in ("qkv_proj", "o_proj", "mlp") for c in (f"decode_{'mlp_gemm' if op == 'mlp' else op}_time_s",
                                                                  f"decode_{op}_is_compute_bound")]
define_serving("decode_dequant_compute_bound_time_s", ["dequant_overhead_fraction", "is_weight_quantized",
                                                       "n_layers", *_MATMULS], partial(_matmul_share, "compute"))
define_serving("decode_dequant_memory_bound_time_s", ["dequant_overhead_fraction", "is_weight_quantized",
                                                      "n_layers", *_MATMULS], partial(_matmul_share, "memory"))


@serving_column
def decode_link_latency_time_s(n_layers: UExpr, tp: UExpr, pp: UExpr, scaleup_link_latency_s: UExpr,
                               decode_tp_alpha_s: UExpr, pp_crossing_boundaries: UExpr,
                               decode_alltoall_scaleup_alpha_s: UExpr) -> UExpr:
    """The alpha part of a decode pass's communication on the scale-up link: 2 ring all-reduces per
    layer, 2(tp-1) steps each (at the all-reduce's own, possibly fitted, alpha), one hop per
    pipeline boundary inside a domain, and the all-to-alls of an EP group inside one
    (``expert_parallel``), and the tp - 1 steps of the logits' all-gather (``sampling``)."""
    tp_steps = where(tp > 1, 4.0 * n_layers * (tp - 1.0), 0.0)
    pp_steps = where(pp > 1, pp - 1.0 - pp_crossing_boundaries, 0.0)
    gather_steps = where(tp > 1, tp - 1.0, 0.0)
    return (tp_steps * decode_tp_alpha_s.fill_null(0) + (pp_steps + gather_steps) * scaleup_link_latency_s.fill_null(0)
            + decode_alltoall_scaleup_alpha_s.fill_null(0))


def _itl_share(is_feasible: Plain, streaming_binds: Plain, time: UExpr, itl: UExpr, sign: float) -> UExpr:
    """sign x time / ITL; 0 where the host link sets the pace, null where nothing runs."""
    return only_where(is_feasible, where(streaming_binds, 0, sign * (time / itl).to("")))


@serving_column
def elasticity_peak_flop_per_s(is_feasible: Plain, streaming_binds: Plain, decode_compute_bound_time_s: UExpr,
                               decode_peak_rest_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log peak FLOP/s (and eta_compute) of the compute dtype."""
    return _itl_share(is_feasible, streaming_binds, decode_compute_bound_time_s + decode_peak_rest_time_s, itl_s,
                      -1.0)


# The terms below read fewer axes than a row (no length: once per hardware row x length-free model row, or per
# decode attention class pair: ``serving_precomputed``), so they are named columns, computed where their axes live
# and gathered, not evaluated per row inside the elasticities. Each elasticity's per-row sum adds one such column
# (two for the batch's) to the terms that read a length: the length-free terms summed first, on their table
# (issue 15: 15 gathered columns -> 7; the sums' order moves the values by a few ulps at most).
@serving_column
def decode_peak_rest_time_s(decode_dequant_compute_bound_time_s: UExpr, decode_other_peak_time_s: UExpr,
                            decode_mlp_overlap_stream_time_s: UExpr) -> UExpr:
    """What the compute dtype's peak moves beside the operators' compute-bound time: the compute-bound matmuls'
    dequantization, less a 16-bit LM head's time (it runs at another peak) and less the share of a compute-bound
    MoE MLP's time that moves with the bandwidth instead (``grouped_gemm.decode_mlp_overlap_stream_time_s``)."""
    return decode_dequant_compute_bound_time_s - decode_other_peak_time_s - decode_mlp_overlap_stream_time_s


@serving_column
def decode_other_peak_time_s(lm_head_at_16_bits: Plain, decode_lm_head_time_s: UExpr,
                             decode_lm_head_is_compute_bound: Plain) -> UExpr:
    """The compute-bound decode time at another peak than the compute dtype's: a 16-bit LM head beside narrower
    compute (``serving.lm_head_peak_flop_per_s``)."""
    return where(lm_head_at_16_bits & decode_lm_head_is_compute_bound, decode_lm_head_time_s, 0)


@serving_column
def elasticity_memory_bandwidth(is_feasible: Plain, streaming_binds: Plain, decode_memory_bound_time_s: UExpr,
                                decode_bandwidth_rest_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log memory bandwidth (and eta_memory)."""
    return _itl_share(is_feasible, streaming_binds, decode_memory_bound_time_s + decode_bandwidth_rest_time_s, itl_s,
                      -1.0)


@serving_column
def decode_bandwidth_rest_time_s(decode_dequant_memory_bound_time_s: UExpr, decode_moe_routing_bandwidth_time_s: UExpr,
                                 decode_sampling_bandwidth_time_s: UExpr,
                                 decode_mlp_overlap_stream_time_s: UExpr) -> UExpr:
    """What the memory bandwidth moves beside the operators' memory-bound time: the memory-bound matmuls'
    dequantization, an MoE layer's routing kernels and the sampling kernels (``moe_routing``, ``sampling``), and
    the weight-streaming share of a compute-bound MoE MLP's time (``grouped_gemm``: compute and streaming only
    partly overlapped)."""
    return (decode_dequant_memory_bound_time_s + decode_moe_routing_bandwidth_time_s + decode_sampling_bandwidth_time_s
            + decode_mlp_overlap_stream_time_s)


@serving_column
def elasticity_link_bandwidth(is_feasible: Plain, decode_link_beta_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link bandwidth (the beta part of the collectives on it)."""
    return only_where(is_feasible, -(decode_link_beta_time_s / itl_s).to(""))


@serving_column
def decode_link_beta_time_s(decode_communication_time_s: UExpr, decode_link_latency_time_s: UExpr,
                            decode_scaleout_time_s: UExpr, decode_tp_socket_time_s: UExpr) -> UExpr:
    """The beta part of a decode pass's collectives on the scale-up link (the scale-out fabric's share,
    ``expert_parallel.decode_scaleout_time_s``, and a PCIe ring's time at the CPU interconnect,
    ``serving_communication``'s ``decode_tp_socket_time_s``, do not move with it)."""
    return (decode_communication_time_s - decode_link_latency_time_s - decode_scaleout_time_s.fill_null(0)
            - decode_tp_socket_time_s.fill_null(0))


@serving_column
def elasticity_link_latency(is_feasible: Plain, decode_link_latency_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link latency (the alpha part)."""
    return only_where(is_feasible, (decode_link_latency_time_s / itl_s).to(""))


@serving_column
def elasticity_launch_overhead(is_feasible: Plain, decode_eager_launch_s: UExpr, itl_s: UExpr) -> UExpr:
    """d log ITL / d log eager launch cost: the eager launches' share of the ITL."""
    return only_where(is_feasible, (decode_eager_launch_s / itl_s).to(""))


@serving_column
def decode_eager_launch_s(decode_cuda_graphs: Plain, launch_overhead_s: UExpr) -> UExpr:
    """A decode pass's eager launch time, 0 where decode replays a graph (its cost does not scale with the eager
    cost per kernel); no length: a named column, gathered from its table (``serving_precomputed``)."""
    return where(decode_cuda_graphs, 0.0 * launch_overhead_s, launch_overhead_s)


# binding_input's candidates: the input each elasticity moves, and the elasticity
BINDING = {"peak_flop_per_s": "elasticity_peak_flop_per_s",
           "memory_bandwidth_bytes_per_s": "elasticity_memory_bandwidth",
           "scaleup_link_bandwidth_bytes_per_s": "elasticity_link_bandwidth",
           "scaleup_link_latency_s": "elasticity_link_latency",
           "launch_overhead_per_kernel_s": "elasticity_launch_overhead"}


def _magnitude(elasticity: UExpr) -> UExpr:
    """|elasticity|, 0 where null."""
    return elasticity.abs().fill_null(0)


# named columns: the largest and each comparison with it read one of each (polars' CSE built them twice)
for _e in BINDING.values():
    define_serving(f"{_e}_magnitude", [_e], _magnitude)


@serving_column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_peak_flop_per_s_magnitude: UExpr,
                  elasticity_memory_bandwidth_magnitude: UExpr, elasticity_link_bandwidth_magnitude: UExpr,
                  elasticity_link_latency_magnitude: UExpr, elasticity_launch_overhead_magnitude: UExpr) -> Plain:
    """The input whose 1 % change moves the ITL most."""
    values = [elasticity_peak_flop_per_s_magnitude, elasticity_memory_bandwidth_magnitude,
              elasticity_link_bandwidth_magnitude, elasticity_link_latency_magnitude,
              elasticity_launch_overhead_magnitude]
    best = maximum(*values)
    out = E.when(elasticity_peak_flop_per_s.is_null()).then(None)
    for name, v in zip(BINDING, values, strict=True):
        out = out.when(v >= best).then(category(name))  # v is the largest
    return out.cast(E.Categorical)


def _moving(bandwidth: UExpr, eta_memory: UExpr, time: UExpr, is_compute: Plain, moving_bytes: UExpr) -> UExpr:
    """An operator's d time / d log(sequences): its time where compute-bound, else its moving bytes' time."""
    return where(is_compute, time.to("s"), (moving_bytes / (bandwidth * eta_memory)).to("s"))


def _less(nbytes: UExpr, part: UExpr) -> UExpr:
    return nbytes - part


def _with_stream(bandwidth: UExpr, eta_memory: UExpr, moving: UExpr, nbytes: UExpr) -> UExpr:
    """A moving part plus a memory-bound kernel's bytes' time."""
    return moving + (nbytes / (bandwidth * eta_memory)).to("s")


def _dequant_moving(fraction: UExpr, quantized: Plain, n_layers: UExpr, *matmuls: UExpr) -> UExpr:
    """The dequantization of the quantized matmuls' moving parts (not the LM head's: fidelity)."""
    return where(quantized, fraction * n_layers * total(*matmuls), 0)


# Each operator's moving part is a named column: the length-free ones (all but attention's) are computed and summed
# once per hardware row x length-free model row (``serving_precomputed``), not per row.
_BANDWIDTH = ["memory_bandwidth_bytes_per_s", "eta_memory"]
for _op in (*OPERATORS, "lm_head"):
    define_serving(f"decode_{_op}_batch_bytes", [f"decode_{_op}_activation_bytes"]
                   + (["decode_attention_kv_bytes"] if _op == "attention" else []), total)
    if _op == "mlp":  # its GEMMs' moving part, then the activation kernel's bytes (memory-bound; its α does not move)
        define_serving("decode_mlp_gemm_batch_bytes", ["decode_mlp_batch_bytes", "decode_mlp_act_bytes"], _less)
        define_serving("decode_mlp_gemm_batch_moving_time_s", [*_BANDWIDTH, "decode_mlp_gemm_time_s",
                                                               "decode_mlp_is_compute_bound",
                                                               "decode_mlp_gemm_batch_bytes"], _moving)
        define_serving("decode_mlp_batch_moving_time_s", [*_BANDWIDTH, "decode_mlp_gemm_batch_moving_time_s",
                                                          "decode_mlp_act_bytes"], _with_stream)
    else:
        define_serving(f"decode_{_op}_batch_moving_time_s", [*_BANDWIDTH, f"decode_{_op}_time_s",
                                                             f"decode_{_op}_is_compute_bound",
                                                             f"decode_{_op}_batch_bytes"], _moving)
define_serving("decode_dequant_batch_moving_time_s", ["dequant_overhead_fraction", "is_weight_quantized", "n_layers",
                                                      *[f"decode_{op}_batch_moving_time_s"
                                                        for op in ("qkv_proj", "o_proj", "mlp_gemm")]],
               _dequant_moving)
define_serving("decode_layer_rest_batch_moving_time_s", [f"decode_{op}_batch_moving_time_s" for op in OPERATORS
                                                         if op != "attention"], total)


@serving_column
def decode_pp_scaleout_alpha_s(pp_crossing_boundaries: UExpr, scaleout_latency_s: UExpr) -> UExpr:
    """The scale-out per-message latency of a decode pass's stage boundaries between domains."""
    return where(pp_crossing_boundaries > 0, pp_crossing_boundaries * scaleout_latency_s, 0)


@serving_column
def decode_batch_share(batch: UExpr, pp: UExpr, decode_sequences: UExpr) -> UExpr:
    """batch / pp over the sequences of a decode microbatch (ceil(batch / pp)), which elasticity_batch's
    derivative takes as batch / pp."""
    return batch / pp / decode_sequences


@serving_column
def decode_pass_rest_batch_moving_time_s(decode_lm_head_batch_moving_time_s: UExpr,
                                         decode_dequant_batch_moving_time_s: UExpr, decode_communication_time_s: UExpr,
                                         decode_link_latency_time_s: UExpr, decode_pp_scaleout_alpha_s: UExpr,
                                         decode_sampling_bandwidth_time_s: UExpr) -> UExpr:
    """What moves with the batch once per decode pass: the LM head's moving part, the matmuls' dequantization,
    the collectives but their per-message latency (neither link's, a stage boundary between domains: the scale-out
    one) and the sampling kernels' bytes (``sampling``; their α not)."""
    return (decode_lm_head_batch_moving_time_s + decode_dequant_batch_moving_time_s + decode_communication_time_s
            - decode_link_latency_time_s - decode_pp_scaleout_alpha_s + decode_sampling_bandwidth_time_s)


@serving_column
def elasticity_batch(is_feasible: Plain, is_moe: Plain, streaming_binds: Plain, n_layers: UExpr,
                     decode_attention_batch_moving_time_s: UExpr, decode_layer_rest_batch_moving_time_s: UExpr,
                     decode_pass_rest_batch_moving_time_s: UExpr, decode_batch_share: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log batch (the sequences of a microbatch, ceil(batch / pp), taken as
    batch / pp): d ITL / d log(sequences) of the layer's operators x L (attention's, then the others') and
    of what moves once per pass, over the ITL. Null for MoE (the experts a batch touches do not grow in
    proportion)."""
    moving = (n_layers * (decode_attention_batch_moving_time_s + decode_layer_rest_batch_moving_time_s)
              + decode_pass_rest_batch_moving_time_s)
    e = (moving / itl_s).to("") * decode_batch_share
    return only_where(is_feasible & ~is_moe & ~streaming_binds, e.to(""))


@serving_column
def decode_attention_context_moving_time_s(decode_attention_time_s: UExpr, decode_attention_is_compute_bound: Plain,
                                           decode_attention_kv_bytes: UExpr, decode_context_tokens: UExpr,
                                           memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr) -> UExpr:
    """d (decode attention time) / d log context: its FLOPs' time where compute-bound, else the K/V it reads
    (all but the step's own append: context / (context + 1 token))."""
    read = decode_attention_kv_bytes * decode_context_tokens / (decode_context_tokens + TOKEN)
    return _moving(memory_bandwidth_bytes_per_s, eta_memory, decode_attention_time_s, decode_attention_is_compute_bound,
                   read)


@serving_column
def elasticity_prompt_len(is_feasible: Plain, streaming_binds: Plain, n_layers: UExpr,
                          decode_attention_context_moving_time_s: UExpr, decode_context_tokens: UExpr,
                          prompt_len: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log prompt length, through the context attention reads."""
    e = (n_layers * decode_attention_context_moving_time_s / itl_s).to("") * prompt_len / decode_context_tokens
    return only_where(is_feasible & ~streaming_binds, e.to(""))
