"""Wall 21 (sensitivity) of the serving study's inter-token latency.

ITL = max(operators + dequantization, weight streaming) + communication + launches. Each
operator time is FLOPs / (peak x eta) or bytes / (bandwidth x eta_memory), whichever binds,
so d log ITL / d log peak is -(compute-bound operator time)/ITL, and likewise for bandwidth;
the ring's alpha and beta terms give the link's (exact away from regime changes).

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


_MATMULS = [c for op in ("qkv_proj", "o_proj", "mlp") for c in (f"decode_{op}_time_s", f"decode_{op}_is_compute_bound")]
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
    (``expert_parallel``)."""
    tp_steps = where(tp > 1, 4.0 * n_layers * (tp - 1.0), 0.0)
    pp_steps = where(pp > 1, pp - 1.0 - pp_crossing_boundaries, 0.0)
    return (tp_steps * decode_tp_alpha_s.fill_null(0) + pp_steps * scaleup_link_latency_s.fill_null(0)
            + decode_alltoall_scaleup_alpha_s.fill_null(0))


def _itl_share(is_feasible: Plain, streaming_binds: Plain, time: UExpr, itl: UExpr, sign: float) -> UExpr:
    """sign x time / ITL; 0 where the host link sets the pace, null where nothing runs."""
    return only_where(is_feasible, where(streaming_binds, 0, sign * (time / itl).to("")))


@serving_column
def elasticity_peak_flop_per_s(is_feasible: Plain, streaming_binds: Plain, decode_compute_bound_time_s: UExpr,
                               decode_dequant_compute_bound_time_s: UExpr, lm_head_at_16_bits: Plain,
                               decode_lm_head_time_s: UExpr, decode_lm_head_is_compute_bound: Plain,
                               itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log peak FLOP/s (and eta_compute) of the compute dtype: a 16-bit LM head beside
    narrower compute (``serving.lm_head_peak_flop_per_s``) runs at another peak and does not move."""
    other_peak = where(lm_head_at_16_bits & decode_lm_head_is_compute_bound, decode_lm_head_time_s, 0)
    return _itl_share(is_feasible, streaming_binds,
                      decode_compute_bound_time_s - other_peak + decode_dequant_compute_bound_time_s, itl_s, -1.0)


@serving_column
def elasticity_memory_bandwidth(is_feasible: Plain, streaming_binds: Plain, decode_memory_bound_time_s: UExpr,
                                decode_dequant_memory_bound_time_s: UExpr,
                                decode_moe_routing_bandwidth_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log memory bandwidth (and eta_memory); an MoE layer's routing kernels
    are memory-bound too (``moe_routing``)."""
    return _itl_share(is_feasible, streaming_binds, decode_memory_bound_time_s + decode_dequant_memory_bound_time_s
                      + decode_moe_routing_bandwidth_time_s, itl_s, -1.0)


@serving_column
def elasticity_link_bandwidth(is_feasible: Plain, decode_communication_time_s: UExpr,
                              decode_link_latency_time_s: UExpr, decode_scaleout_time_s: UExpr,
                              itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link bandwidth (the beta part of the collectives on it;
    the scale-out fabric's share, ``expert_parallel.decode_scaleout_time_s``, does not move)."""
    beta_part = decode_communication_time_s - decode_link_latency_time_s - decode_scaleout_time_s.fill_null(0)
    return only_where(is_feasible, -(beta_part / itl_s).to(""))


@serving_column
def elasticity_link_latency(is_feasible: Plain, decode_link_latency_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link latency (the alpha part)."""
    return only_where(is_feasible, (decode_link_latency_time_s / itl_s).to(""))


@serving_column
def elasticity_launch_overhead(is_feasible: Plain, decode_cuda_graphs: Plain, launch_overhead_s: UExpr,
                               itl_s: UExpr) -> UExpr:
    """d log ITL / d log eager launch cost: the eager launches' share of the ITL, 0 where decode
    replays a graph (its cost does not scale with the eager cost per kernel)."""
    return only_where(is_feasible, (where(decode_cuda_graphs, 0.0 * launch_overhead_s, launch_overhead_s)
                                    / itl_s).to(""))


@serving_column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_memory_bandwidth: UExpr,
                  elasticity_link_bandwidth: UExpr, elasticity_link_latency: UExpr,
                  elasticity_launch_overhead: UExpr) -> Plain:
    """The input whose 1 % change moves the ITL most."""
    names = ["peak_flop_per_s", "memory_bandwidth_bytes_per_s", "scaleup_link_bandwidth_bytes_per_s",
             "scaleup_link_latency_s", "launch_overhead_per_kernel_s"]
    values = [e.abs().fill_null(0) for e in (elasticity_peak_flop_per_s, elasticity_memory_bandwidth,
                                             elasticity_link_bandwidth, elasticity_link_latency,
                                             elasticity_launch_overhead)]
    best = maximum(*values)
    out = E.when(elasticity_peak_flop_per_s.is_null()).then(None)
    for name, v in zip(names, values, strict=True):
        out = out.when(v >= best).then(category(name))  # v is the largest
    return out.cast(E.Categorical)


def _batch_moving(n_layers: UExpr, bandwidth: UExpr, eta_memory: UExpr, fraction: UExpr, quantized: Plain,
                  *args: UExpr) -> UExpr:
    """d ITL / d log(sequences) of the operators and their dequantization."""
    bw = bandwidth * eta_memory
    layer, matmul, head = [], [], None
    for k, op in enumerate((*OPERATORS, "lm_head")):
        t, is_compute, moving_bytes = args[3 * k], args[3 * k + 1], args[3 * k + 2]
        part = where(is_compute, t.to("s"), (moving_bytes / bw).to("s"))
        if op == "lm_head":
            head = part
            continue
        layer.append(part)
        if op in ("qkv_proj", "o_proj", "mlp"):
            matmul.append(part)
    dequant = where(quantized, fraction * n_layers * total(*matmul), 0)  # not the LM head (fidelity)
    return n_layers * total(*layer) + head + dequant


for _op in (*OPERATORS, "lm_head"):
    define_serving(f"decode_{_op}_batch_bytes", [f"decode_{_op}_activation_bytes"]
                   + (["decode_attention_kv_bytes"] if _op == "attention" else []), total)

define_serving("decode_batch_moving_time_s", ["n_layers", "memory_bandwidth_bytes_per_s", "eta_memory",
                                              "dequant_overhead_fraction", "is_weight_quantized",
                                              *[c for op in (*OPERATORS, "lm_head") for c in
                                                (f"decode_{op}_time_s", f"decode_{op}_is_compute_bound",
                                                 f"decode_{op}_batch_bytes")]], _batch_moving)


@serving_column
def elasticity_batch(is_feasible: Plain, is_moe: Plain, streaming_binds: Plain,
                     decode_batch_moving_time_s: UExpr, decode_communication_time_s: UExpr,
                     decode_link_latency_time_s: UExpr, batch: UExpr, pp: UExpr, decode_sequences: UExpr,
                     itl_s: UExpr, pp_crossing_boundaries: UExpr, scaleout_latency_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log batch (the sequences of a microbatch, ceil(batch / pp), taken as
    batch / pp). Null for MoE (the experts a batch touches do not grow in proportion). Neither link's
    per-message latency moves with the batch (a stage boundary between domains: the scale-out one)."""
    out_alpha = where(pp_crossing_boundaries > 0, pp_crossing_boundaries * scaleout_latency_s, 0)
    moving = decode_batch_moving_time_s + decode_communication_time_s - decode_link_latency_time_s - out_alpha
    relax = batch / pp / decode_sequences
    e = (moving / itl_s).to("") * relax
    return only_where(is_feasible & ~is_moe & ~streaming_binds, e.to(""))


@serving_column
def elasticity_prompt_len(is_feasible: Plain, streaming_binds: Plain, n_layers: UExpr,
                          decode_attention_time_s: UExpr, decode_attention_is_compute_bound: Plain,
                          decode_attention_kv_bytes: UExpr, decode_context_tokens: UExpr, prompt_len: UExpr,
                          memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log prompt length, through the context attention reads: its FLOPs,
    or the K/V it reads (all but the step's own append: context / (context + 1 token))."""
    read = decode_attention_kv_bytes * decode_context_tokens / (decode_context_tokens + TOKEN)
    moving = where(decode_attention_is_compute_bound, decode_attention_time_s.to("s"),
                   (read / (memory_bandwidth_bytes_per_s * eta_memory)).to("s"))
    e = (n_layers * moving / itl_s).to("") * prompt_len / decode_context_tokens
    return only_where(is_feasible & ~streaming_binds, e.to(""))
