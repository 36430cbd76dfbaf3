"""Distributed training (walls 10, 11, 14, 15, 19): one step of a DP x TP x PP x CP (x EP)
layout on a cluster, its memory per GPU, and what the step implies for a whole run.

The step (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
Clusters Using Megatron-LM", SC21): each of ``num_microbatches`` microbatches passes the
busiest pipeline stage in ``microbatch_time_s`` (its compute, plus the tensor-, context-
and expert-parallel collectives it waits on); the pipeline adds its bubble, (p-1)/v
microbatch times, and its point-to-point sends; the data-parallel gradient reduction adds
whatever part of it is not overlapped. Every term is a column, so a layout's difference
from another is readable term by term.

FLOPs follow the MFU convention of PaLM (Chowdhery et al. 2022, App. B) and Narayanan
et al. (eq. 3): 6 x parameters x tokens through the matmuls plus full (non-causal)
attention scores, 3 x the forward pass. The hardware counts the same FLOPs and, under
activation recomputation, the recomputed forward (Korthikanti et al. 2022, §5).
"""

from __future__ import annotations

from functools import partial

import polars as pl

from pipeline import formulas
from pipeline.units import UExpr, lit, maximum, minimum, unit, where
from pipeline.walls.collectives import (
    all_to_all_s,
    ring_all_gather_s,
    ring_all_reduce_s,
    ring_reduce_scatter_s,
    tree_all_reduce_s,
)
from pipeline.walls.operators import ELEM_PER_TOKEN, TOKEN, ceil
from pipeline.walls.software import _if_feasible

# The training study's own formulas: plan with ``formulas.REGISTRY | TRAINING``.
TRAINING: dict[str, formulas.Formula] = {}
column = formulas.column(registry=TRAINING)
define = partial(formulas.define, registry=TRAINING)

TRAIN_TO_FORWARD = 3.0  # forward + backward (2x forward), Kaplan et al. 2020 §2.1
WORKING_WEIGHT_BYTES = lit(2.0, "B/param")  # 16-bit weights (Micikevicius et al. 2018); FP8 GEMMs cast them
OPTIMIZER_BYTES = lit(12.0, "B/param")  # fp32 master + Adam m, v: K = 12 (Rajbhandari et al. 2020, §3.1)
LOGIT_BYTES = lit(4.0, "B/elem")  # fp32 logits of the loss on the last stage
ACTIVATION_BYTES = lit(1.0, "B/tok")  # Korthikanti's coefficients count bytes per token per hidden unit
CHINCHILLA_TOKENS_PER_PARAM = lit(20.0, "tok/param")  # Hoffmann et al. 2022 (Chinchilla), Table 3: ~20
TRAIN_FLOP_PER_PARAM_TOKEN = lit(6.0, "FLOP/param/tok")  # wall 11: C = 6 N D (Kaplan et al. 2020, §2.1)
ZERO3_TRAFFIC = 1.5  # ZeRO-3 moves 3 Psi per step against data parallelism's 2 Psi (Rajbhandari et al. 2020, §7.2)


# -- FLOPs of one sequence through the whole model (model side, before any layout) --------
# The shared operators (pipeline.walls.operators) at tp = 1, for one sequence of seq_len tokens.

@column
def step_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@column
def step_sequences() -> UExpr:
    return lit(1.0)


@column
def step_attention_pairs(seq_len: UExpr) -> UExpr:
    """s^2 query-key pairs per layer: the MFU convention counts the full score matrix."""
    s = seq_len / TOKEN
    return s * s


@column
def step_kv_read_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@column
def step_logit_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@column
def layer_forward_flop_per_sequence(step_qkv_proj_flop: UExpr, step_attention_flop: UExpr, step_o_proj_flop: UExpr,
                                    step_mlp_flop: UExpr, step_norms_flop: UExpr) -> UExpr:
    return step_qkv_proj_flop + step_attention_flop + step_o_proj_flop + step_mlp_flop + step_norms_flop


@column
def attention_core_forward_flop_per_sequence(step_attention_flop: UExpr) -> UExpr:
    """Q.K^T and P.V of one layer: what selective recomputation recomputes (Korthikanti et al. 2022, §4.3)."""
    return step_attention_flop


@column
def lm_head_forward_flop_per_sequence(step_lm_head_flop: UExpr) -> UExpr:
    return step_lm_head_flop


@column
def model_flop_per_sequence(n_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                            lm_head_forward_flop_per_sequence: UExpr) -> UExpr:
    """Forward + backward of one sequence: 3 x (L layers + LM head)."""
    return TRAIN_TO_FORWARD * (n_layers * layer_forward_flop_per_sequence + lm_head_forward_flop_per_sequence)


# -- the layout --------------------------------------------------------------------------

@column
def layers_per_gpu(n_layers: UExpr, pp: UExpr, virtual_stages: UExpr) -> UExpr:
    """v model chunks of ceil(L / (p v)) layers each (the interleaved schedule, Narayanan et al. §2.2.2)."""
    return virtual_stages * ceil(n_layers / (pp * virtual_stages))


@column
def params_per_gpu(layers_per_gpu: UExpr, attention_params_per_layer: UExpr, norm_params_per_layer: UExpr,
                   dense_layer_share: UExpr, dense_mlp_params_per_layer: UExpr, n_experts: UExpr,
                   n_shared_experts: UExpr, expert_params_each: UExpr, router_params_per_layer: UExpr,
                   embedding_params: UExpr, lm_head_params: UExpr, final_norm_params: UExpr,
                   is_tied_embeddings: pl.Expr, tp: UExpr, pp: UExpr, ep: UExpr) -> UExpr:
    """Weights of the fullest GPU: its layers (attention and MLPs over tp, routed experts over
    tp x ep, norms replicated) and the larger pipeline end. With pp > 1 the last stage keeps its
    own copy of a tied embedding as the LM head (Megatron-LM)."""
    moe = 1.0 - dense_layer_share
    shared = dense_layer_share * dense_mlp_params_per_layer + moe * (
        n_shared_experts.fill_null(0.0) * expert_params_each + router_params_per_layer)
    routed = moe * n_experts.fill_null(0.0) * expert_params_each
    layer = (attention_params_per_layer + shared) / tp + routed / (tp * ep) + norm_params_per_layer
    single = embedding_params + where(is_tied_embeddings, 0.0, lm_head_params) + final_norm_params * tp
    ends = where(pp.expr > 1, maximum(embedding_params, lm_head_params + final_norm_params * tp), single) / tp
    return layers_per_gpu * layer + ends


# -- memory per GPU (ZeRO, Rajbhandari et al. 2020; activations, Korthikanti et al. 2022) ---

def _sharded(zero_stage: UExpr, from_stage: int, dp: UExpr) -> UExpr:
    """dp when ZeRO stage >= from_stage shards this state over the data-parallel ranks, else 1."""
    return where(zero_stage.expr >= from_stage, dp, 1.0)


@column
def weight_bytes_per_gpu(params_per_gpu: UExpr, zero_stage: UExpr, dp: UExpr) -> UExpr:
    """16-bit working weights; ZeRO-3 / FSDP shards them."""
    return params_per_gpu * WORKING_WEIGHT_BYTES / _sharded(zero_stage, 3, dp)


@column
def gradient_bytes_per_gpu(params_per_gpu: UExpr, gradient_bytes_per_param: UExpr, zero_stage: UExpr,
                           dp: UExpr) -> UExpr:
    """Gradients; ZeRO-2 and up shard them."""
    return params_per_gpu * gradient_bytes_per_param / _sharded(zero_stage, 2, dp)


@column
def optimizer_bytes_per_gpu(params_per_gpu: UExpr, zero_stage: UExpr, dp: UExpr) -> UExpr:
    """fp32 master weights and Adam moments (12 B/param); ZeRO-1 and up shard them."""
    return params_per_gpu * OPTIMIZER_BYTES / _sharded(zero_stage, 1, dp)


@column
def activation_bytes_per_layer(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr, n_heads: UExpr,
                               n_kv_heads: UExpr, mlp_width_per_device: UExpr, is_gated_mlp: pl.Expr, tp: UExpr,
                               recompute: pl.Expr, sequence_parallel: pl.Expr, flash_attention: pl.Expr,
                               dropout: pl.Expr) -> UExpr:
    """One layer, one microbatch, on one GPU: Korthikanti et al. 2022, §4.1, term by term, with
    16-bit activations and 1-byte dropout masks, generalised to GQA and gated MLPs. Per token:
    kept whole on every TP rank (unless sequence-parallel): the QKV and MLP inputs (2h each),
    two norm inputs (4h), two dropout masks (2h); sharded over TP: Q, K, V and the projection
    input (4h + 4h kv/a), the MLP's intermediates (4f, gated 6f), and the attention scores
    (softmax 2as, with dropout 5as) that FlashAttention never stores. GPT-3 (kv = a, f = 4h,
    dropout): sbh(10 + 24/t + 5as/(ht)), Korthikanti's Table 2. Selective recomputation drops
    the scores; full recomputation keeps only the layer input (2h). CP splits the sequence."""
    s = seq_len / cp
    h, f = d_model, mlp_width_per_device * tp / ELEM_PER_TOKEN
    masks = where(dropout, 1.0, 0.0)
    whole = (2.0 + 2.0 + 4.0) * h + 2.0 * masks * h
    sharded = (4.0 + 4.0 * n_kv_heads / n_heads) * h + where(is_gated_mlp, 6.0, 4.0) * f
    scores = (2.0 + 3.0 * masks) * n_heads * (s / TOKEN)
    keep_scores = where(flash_attention | (recompute == "selective"), 0.0, scores)
    stored = where(sequence_parallel, (whole + sharded + keep_scores) / tp, whole + (sharded + keep_scores) / tp)
    layer_input = where(sequence_parallel, 2.0 * h / tp, 2.0 * h)
    per_token = where(recompute == "full", layer_input, stored)
    return s * microbatch * per_token * ACTIVATION_BYTES


@column
def microbatches_in_flight(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr) -> UExpr:
    """Microbatches whose activations the first stage holds: min(m, p) under 1F1B (Narayanan et al.
    §2.2.1), (1 + (p-1)/(p v)) times more under the interleaved schedule (Korthikanti et al. §4.2.3)."""
    base = minimum(num_microbatches, pp)
    return where(virtual_stages.expr > 1, base * (1.0 + (pp - 1.0) / (pp * virtual_stages)), base)


@column
def activation_bytes_per_gpu(activation_bytes_per_layer: UExpr, layers_per_gpu: UExpr,
                             microbatches_in_flight: UExpr, seq_len: UExpr, cp: UExpr, microbatch: UExpr,
                             vocab_size: UExpr, tp: UExpr) -> UExpr:
    """The stored layers' activations for the microbatches in flight, plus one microbatch's fp32 logits."""
    logits = seq_len / cp * microbatch * vocab_size / tp * ELEM_PER_TOKEN * LOGIT_BYTES
    return activation_bytes_per_layer * layers_per_gpu * microbatches_in_flight + logits


@column
def memory_reserve_bytes(memory_reserve_fraction: UExpr, memory_capacity_bytes: UExpr) -> UExpr:
    """Allocator fragmentation, workspaces and the runtime's context."""
    return memory_reserve_fraction * memory_capacity_bytes


@column
def memory_per_gpu_bytes(weight_bytes_per_gpu: UExpr, gradient_bytes_per_gpu: UExpr, optimizer_bytes_per_gpu: UExpr,
                         activation_bytes_per_gpu: UExpr, memory_reserve_bytes: UExpr) -> UExpr:
    return (weight_bytes_per_gpu + gradient_bytes_per_gpu + optimizer_bytes_per_gpu + activation_bytes_per_gpu
            + memory_reserve_bytes)


@column
def memory_headroom_bytes(memory_capacity_bytes: UExpr, memory_per_gpu_bytes: UExpr) -> UExpr:
    return memory_capacity_bytes - memory_per_gpu_bytes


@column
def is_feasible(memory_headroom_bytes: UExpr) -> pl.Expr:
    return memory_headroom_bytes.expr >= 0


@column
def infeasible_reason(is_feasible: pl.Expr) -> pl.Expr:
    return pl.when(~is_feasible).then(pl.lit("weights, optimizer and activations exceed GPU memory")) \
        .cast(pl.Categorical)


# -- compute (walls 1 and 14) -------------------------------------------------------------

@column
def stage_forward_flop_per_microbatch(layers_per_gpu: UExpr, layer_forward_flop_per_sequence: UExpr,
                                      lm_head_forward_flop_per_sequence: UExpr, microbatch: UExpr,
                                      tp: UExpr, pp: UExpr, cp: UExpr) -> UExpr:
    """The busiest GPU's tp x cp share of a microbatch: its ceil(L/p)-layer stage and 1/p of the
    LM head, i.e. stages balanced around the head (Llama 3, §3.3.2, gives the first and last
    stage one layer less for this); only the rounding of layers to stages is imbalance."""
    return (layers_per_gpu * layer_forward_flop_per_sequence + lm_head_forward_flop_per_sequence / pp) \
        * microbatch / (tp * cp)


@column
def recompute_flop_per_sequence(recompute: pl.Expr, n_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                                attention_core_forward_flop_per_sequence: UExpr) -> UExpr:
    """Forward work done again in the backward pass: every layer (full; the 4/3 of Narayanan et
    al. eq. 3) or the attention core only (selective, Korthikanti et al. §4.3)."""
    return n_layers * where(recompute == "full", layer_forward_flop_per_sequence,
                            where(recompute == "selective", attention_core_forward_flop_per_sequence, 0))


@column
def compute_time_per_microbatch_s(stage_forward_flop_per_microbatch: UExpr, recompute_flop_per_sequence: UExpr,
                                  n_layers: UExpr, layers_per_gpu: UExpr, microbatch: UExpr, tp: UExpr, cp: UExpr,
                                  peak_flop_per_s: UExpr, eta_compute: UExpr) -> UExpr:
    """Wall 1 on the busiest GPU: (3 x forward + recomputed forward) / (peak x eta)."""
    recomputed = recompute_flop_per_sequence * (layers_per_gpu / n_layers) * microbatch / (tp * cp)
    return ((TRAIN_TO_FORWARD * stage_forward_flop_per_microbatch + recomputed)
            / (peak_flop_per_s * eta_compute)).to("s")


# -- the links (walls 10 and 14) ------------------------------------------------------------

@column
def scaleup_beta_bytes_per_s(scaleup_link_bandwidth_bytes_per_s: UExpr, eta_link: UExpr) -> UExpr:
    return scaleup_link_bandwidth_bytes_per_s * eta_link


@column
def scaleout_bandwidth_per_gpu_bytes_per_s(nic_bandwidth_bits_per_s: UExpr, nics_per_node: UExpr,
                                           accelerators_per_node: UExpr, oversubscription_ratio: UExpr) -> UExpr:
    """Wall 10: the node's NICs shared by its GPUs, derated by the fabric's oversubscription
    (a 1:k oversubscribed tier gives each flow 1/k of its link when every flow crosses it)."""
    return (nic_bandwidth_bits_per_s * nics_per_node / accelerators_per_node / oversubscription_ratio).to("B/s")


@column
def scaleout_beta_bytes_per_s(scaleout_bandwidth_per_gpu_bytes_per_s: UExpr, eta_link: UExpr) -> UExpr:
    return scaleout_bandwidth_per_gpu_bytes_per_s * eta_link


def _link(span: UExpr, domain: UExpr, up: UExpr, out: UExpr) -> UExpr:
    """The scale-up figure when a group of ``span`` consecutive ranks fits one scale-up domain,
    else the scale-out one (Megatron-LM orders ranks tp, cp, ep/dp, pp from fastest)."""
    return where(span <= domain, up, out)


@column
def activation_message_bytes(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr,
                             activation_bytes_per_element: UExpr) -> UExpr:
    """One microbatch's hidden states (b x s/cp x h) at 16 bits: what TP reduces and PP sends."""
    return seq_len / cp * microbatch * d_model * ELEM_PER_TOKEN * activation_bytes_per_element


@column
def tp_comm_time_per_microbatch_s(layers_per_gpu: UExpr, recompute: pl.Expr, tp: UExpr,
                                  activation_message_bytes: UExpr, scaleup_domain_size: UExpr,
                                  scaleup_link_latency_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                                  scaleout_latency_s: UExpr, scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Megatron TP: 2 all-reduces per layer forward, 2 backward, 2 more when the forward is
    recomputed (Korthikanti et al. §4.2.2). Sequence parallelism turns each into a reduce-scatter
    and an all-gather: in the ring model the same steps and bytes."""
    alpha = _link(tp, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = _link(tp, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    per_layer = where(recompute == "full", 6.0, 4.0)
    return layers_per_gpu * per_layer * ring_all_reduce_s(tp, activation_message_bytes, alpha, beta)


@column
def cp_comm_time_per_microbatch_s(layers_per_gpu: UExpr, recompute: pl.Expr, cp: UExpr, tp: UExpr,
                                  seq_len: UExpr, microbatch: UExpr,
                                  kv_elements_per_token_per_layer_per_device: UExpr,
                                  activation_bytes_per_element: UExpr, scaleup_domain_size: UExpr,
                                  scaleup_link_latency_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                                  scaleout_latency_s: UExpr, scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """All-gather-based context parallelism (Llama 3, Grattafiori et al. 2024, §3.3.2): per layer
    an all-gather of K and V forward, a reduce-scatter of their gradients backward (and the
    all-gather again when the forward is recomputed), over the cp ranks."""
    message = seq_len * microbatch * kv_elements_per_token_per_layer_per_device * activation_bytes_per_element
    span = tp * cp
    alpha = _link(span, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = _link(span, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    gathers = where(recompute == "full", 2.0, 1.0)
    return layers_per_gpu * (gathers * ring_all_gather_s(cp, message, alpha, beta)
                             + ring_reduce_scatter_s(cp, message, alpha, beta))


@column
def ep_comm_time_per_microbatch_s(layers_per_gpu: UExpr, dense_layer_share: UExpr, recompute: pl.Expr, ep: UExpr,
                                  tp: UExpr, cp: UExpr, activation_message_bytes: UExpr,
                                  n_experts_per_token: UExpr, scaleup_domain_size: UExpr,
                                  scaleup_link_latency_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                                  scaleout_latency_s: UExpr, scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Expert parallelism: per MoE layer an all-to-all dispatch and combine forward and again
    backward (and forward again when recomputed), each moving the rank's 1/tp of the tokens
    x top-k copies (GShard, Lepikhin et al. 2020, §2.2)."""
    message = activation_message_bytes / tp * n_experts_per_token.fill_null(0.0)
    span = tp * cp * ep
    alpha = _link(span, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = _link(span, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    per_layer = where(recompute == "full", 6.0, 4.0)
    moe_layers = layers_per_gpu * (1.0 - dense_layer_share)
    return moe_layers * per_layer * all_to_all_s(ep, message, alpha, beta)


@column
def microbatch_time_s(compute_time_per_microbatch_s: UExpr, tp_comm_time_per_microbatch_s: UExpr,
                      cp_comm_time_per_microbatch_s: UExpr, ep_comm_time_per_microbatch_s: UExpr) -> UExpr:
    """One microbatch through the busiest stage, forward and backward, collectives not overlapped."""
    return (compute_time_per_microbatch_s + tp_comm_time_per_microbatch_s + cp_comm_time_per_microbatch_s
            + ep_comm_time_per_microbatch_s)


def _times_microbatches(num_microbatches: UExpr, per_microbatch: UExpr) -> UExpr:
    return num_microbatches * per_microbatch


for _term in ("compute", "tp_comm", "cp_comm", "ep_comm"):
    define(f"{_term}_time_s", ["num_microbatches", f"{_term}_time_per_microbatch_s"], _times_microbatches)


@column
def pipeline_bubble_time_s(pp: UExpr, virtual_stages: UExpr, microbatch_time_s: UExpr) -> UExpr:
    """(p-1)/v microbatch times of idle stage: bubble fraction (p-1)/(v m + p - 1) of the step
    (Narayanan et al. 2021, §2.2, 1F1B and interleaved schedules)."""
    return (pp - 1.0) / virtual_stages * microbatch_time_s


@column
def pipeline_bubble_fraction(pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr) -> UExpr:
    return (pp - 1.0) / (virtual_stages * num_microbatches + pp - 1.0)


@column
def pp_p2p_time_s(pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr, tp: UExpr, gpus: UExpr,
                  activation_message_bytes: UExpr, scaleup_domain_size: UExpr, scaleup_link_latency_s: UExpr,
                  scaleup_beta_bytes_per_s: UExpr, scaleout_latency_s: UExpr,
                  scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Point-to-point sends on the critical path: a forward activation and a backward gradient
    per microbatch and model chunk, plus the fill and drain, 2 (v m + p - 1) sends of the
    hidden state / tp (the scatter-gather optimisation, Narayanan et al. §4.1). Stages are
    tp x cp x dp ranks apart: over the scale-out network unless the whole job is one domain."""
    alpha = _link(gpus, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = _link(gpus, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    sends = 2.0 * (virtual_stages * num_microbatches + pp - 1.0)
    send = alpha + (activation_message_bytes / tp / beta).to("s")
    return where(pp.expr > 1, sends * send, 0)


@column
def dp_ranks_per_domain(scaleup_domain_size: UExpr, tp: UExpr, cp: UExpr, dp: UExpr) -> UExpr:
    """Data-parallel ranks that share a scale-up domain (each domain holds whole tp x cp groups)."""
    per_domain = UExpr((scaleup_domain_size / (tp * cp)).expr.floor(), unit(""))
    return minimum(maximum(per_domain, 1.0), dp)


@column
def dp_allreduce_time_s(params_per_gpu: UExpr, gradient_bytes_per_param: UExpr, zero_stage: UExpr, dp: UExpr,
                        dp_ranks_per_domain: UExpr, scaleup_link_latency_s: UExpr,
                        scaleup_beta_bytes_per_s: UExpr, scaleout_latency_s: UExpr,
                        scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Gradient all-reduce over dp ranks, hierarchical (NCCL): reduce-scatter among the g ranks of a
    domain, all-reduce of M/g across the dp/g domains by the faster of ring and double binary
    tree (what NCCL's tuner picks), all-gather in the domain. ZeRO-1/2 do the same bytes as a
    reduce-scatter plus a parameter all-gather; ZeRO-3 / FSDP 1.5x (Rajbhandari et al. §7.2)."""
    message = params_per_gpu * gradient_bytes_per_param
    g = dp_ranks_per_domain
    domains = dp / g
    across = minimum(ring_all_reduce_s(domains, message / g, scaleout_latency_s, scaleout_beta_bytes_per_s),
                     tree_all_reduce_s(domains, message / g, scaleout_latency_s, scaleout_beta_bytes_per_s))
    within = (ring_reduce_scatter_s(g, message, scaleup_link_latency_s, scaleup_beta_bytes_per_s)
              + ring_all_gather_s(g, message, scaleup_link_latency_s, scaleup_beta_bytes_per_s))
    return (within + across) * where(zero_stage.expr >= 3, ZERO3_TRAFFIC, 1.0)


@column
def dp_exposed_time_s(dp_allreduce_time_s: UExpr, dp_overlap_fraction: UExpr) -> UExpr:
    """The part of the gradient reduction not hidden behind the backward pass."""
    return dp_allreduce_time_s * (1.0 - dp_overlap_fraction)


@column
def iteration_time_s(compute_time_s: UExpr, tp_comm_time_s: UExpr, cp_comm_time_s: UExpr, ep_comm_time_s: UExpr,
                     pipeline_bubble_time_s: UExpr, pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr) -> UExpr:
    """Wall 14: the step, whether or not it fits in memory."""
    return (compute_time_s + tp_comm_time_s + cp_comm_time_s + ep_comm_time_s + pipeline_bubble_time_s
            + pp_p2p_time_s + dp_exposed_time_s)


# Wall 20 (safety): DP-SGD's per-example gradient clipping as a multiplier on the step.
DP_SGD_STEP_MULTIPLIER = {
    "none": 1.0,
    "book-keeping": 1.0 / 0.83,  # Bu et al. 2023 (ICML, arXiv 2210.00038), abstract: 0.83x non-private speed, GPT-2
    "opacus": 2.6,  # Beltran et al. 2024 (arXiv 2406.17298), abstract: per-example clipping 2.6-8x (ViT, CIFAR-100)
}


# -- walls 8 and 9: the input pipeline ------------------------------------------------------

@column
def sequences_per_s_per_node(global_batch: UExpr, iteration_time_s: UExpr, dp_sgd_step_multiplier: UExpr,
                             nodes_used: UExpr) -> UExpr:
    """Training sequences each node must read and prepare per second at the step's pace."""
    return (global_batch / (iteration_time_s * dp_sgd_step_multiplier) / nodes_used).to("1/s")


@column
def data_bytes_per_s_per_node(sequences_per_s_per_node: UExpr, data_bytes_per_sample: UExpr) -> UExpr:
    return sequences_per_s_per_node * data_bytes_per_sample


@column
def storage_utilization(data_bytes_per_s_per_node: UExpr, storage_read_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Wall 8 (ingestion): rho = demanded / supplied read bandwidth of one node."""
    return (data_bytes_per_s_per_node / storage_read_bandwidth_bytes_per_s).to("")


@column
def host_cores_needed_per_node(sequences_per_s_per_node: UExpr, data_samples_per_s_per_core: UExpr) -> UExpr:
    return (sequences_per_s_per_node / data_samples_per_s_per_core).to("")


@column
def host_utilization(host_cores_needed_per_node: UExpr, host_cores_per_node: UExpr) -> UExpr:
    """Wall 9 (transformation): rho = CPU cores the input pipeline needs / cores a node has."""
    return host_cores_needed_per_node / host_cores_per_node


@column
def step_time_s(is_feasible: pl.Expr, iteration_time_s: UExpr, dp_sgd_step_multiplier: UExpr,
                input_utilization: UExpr) -> UExpr:
    """Wall 14's step, times wall 20's DP-SGD multiplier (1 without DP-SGD), stretched by the
    input pipeline when it cannot keep up (walls 8, 9; prefetching hides it below rho = 1)."""
    stretch = UExpr(input_utilization.expr.fill_null(1.0).clip(lower_bound=1.0), unit(""))
    return _if_feasible(is_feasible, iteration_time_s * dp_sgd_step_multiplier * stretch)


@column
def communication_time_s(tp_comm_time_s: UExpr, cp_comm_time_s: UExpr, ep_comm_time_s: UExpr,
                         pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr) -> UExpr:
    """Every collective and send on the step's critical path."""
    return tp_comm_time_s + cp_comm_time_s + ep_comm_time_s + pp_p2p_time_s + dp_exposed_time_s


@column
def bound(is_feasible: pl.Expr, compute_time_s: UExpr, communication_time_s: UExpr,
          pipeline_bubble_time_s: UExpr, input_utilization: UExpr) -> pl.Expr:
    """The largest term: compute, network (collectives and sends) or the pipeline bubble;
    memory when the layout does not fit; the input pipeline when it cannot keep up."""
    c, n, b = compute_time_s.expr, communication_time_s.expr, pipeline_bubble_time_s.expr
    return (pl.when(~is_feasible).then(pl.lit("memory"))
            .when(input_utilization.expr.fill_null(0.0) > 1.0).then(pl.lit("input pipeline"))
            .when((c >= n) & (c >= b)).then(pl.lit("compute"))
            .when(n >= b).then(pl.lit("network"))
            .otherwise(pl.lit("pipeline bubble")).cast(pl.Categorical))


# -- outputs --------------------------------------------------------------------------------

@column
def tokens_per_step(global_batch: UExpr, seq_len: UExpr) -> UExpr:
    return global_batch * seq_len


@column
def tokens_per_s(tokens_per_step: UExpr, step_time_s: UExpr) -> UExpr:
    return tokens_per_step / step_time_s


@column
def model_flop_per_step(global_batch: UExpr, model_flop_per_sequence: UExpr) -> UExpr:
    return global_batch * model_flop_per_sequence


@column
def hardware_flop_per_step(model_flop_per_step: UExpr, global_batch: UExpr,
                           recompute_flop_per_sequence: UExpr) -> UExpr:
    return model_flop_per_step + global_batch * recompute_flop_per_sequence


@column
def mfu(model_flop_per_step: UExpr, step_time_s: UExpr, gpus: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Model FLOPs utilisation (PaLM, Chowdhery et al. 2022, App. B), against the compute dtype's peak."""
    return (model_flop_per_step / (step_time_s * gpus * peak_flop_per_s)).to("")


@column
def hfu(hardware_flop_per_step: UExpr, step_time_s: UExpr, gpus: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Hardware FLOPs utilisation: recomputation counted (Narayanan et al.'s "% of peak")."""
    return (hardware_flop_per_step / (step_time_s * gpus * peak_flop_per_s)).to("")


@column
def scaling_efficiency(iteration_time_s: UExpr, tp: UExpr, pp: UExpr, cp: UExpr, is_feasible: pl.Expr,
                       node_iteration_time_s: UExpr, node_tp: UExpr) -> UExpr:
    """Per-GPU throughput against the same model on one node of the cluster: the same microbatch
    size and count per data-parallel rank, tp capped at the node, no pipeline, context or expert
    parallelism (memory not checked there). Per-GPU throughput is m b s / (T tp pp cp)."""
    return _if_feasible(is_feasible, node_iteration_time_s * node_tp / (iteration_time_s * tp * pp * cp))


# -- a whole run (walls 11, 15 and 19) ------------------------------------------------------

@column
def chinchilla_tokens(params_computed: UExpr) -> UExpr:
    """Compute-optimal tokens for the model size (Hoffmann et al. 2022: ~20 per parameter)."""
    return CHINCHILLA_TOKENS_PER_PARAM * params_computed


@column
def train_tokens(train_tokens_budget: UExpr, chinchilla_tokens: UExpr) -> UExpr:
    """The spec's token budget, else the Chinchilla-optimal count."""
    return where(train_tokens_budget.is_null(), chinchilla_tokens, train_tokens_budget)


@column
def training_compute_flop(params_active_per_token: UExpr, train_tokens: UExpr) -> UExpr:
    """Wall 11: C = 6 N D, N the parameters a token multiplies (all of them for dense models)."""
    return TRAIN_FLOP_PER_PARAM_TOKEN * params_active_per_token * train_tokens


@column
def time_to_train_ideal_s(train_tokens: UExpr, tokens_per_s: UExpr) -> UExpr:
    return (train_tokens / tokens_per_s).to("s")


@column
def nodes_used(gpus: UExpr, accelerators_per_node: UExpr) -> UExpr:
    return ceil(gpus / accelerators_per_node)


@column
def cluster_mtbf_s(node_mtbf_s: UExpr, nodes_used: UExpr) -> UExpr:
    """Wall 15: independent node failures, so the job fails N times as often as one node."""
    return node_mtbf_s / nodes_used


@column
def checkpoint_bytes(params_computed: UExpr) -> UExpr:
    """16-bit weights + fp32 master and Adam moments: the state a restart needs."""
    return params_computed * (WORKING_WEIGHT_BYTES + OPTIMIZER_BYTES)


@column
def checkpoint_write_time_s(checkpoint_bytes: UExpr, checkpoint_storage_bandwidth_bytes_per_s: UExpr) -> UExpr:
    return (checkpoint_bytes / checkpoint_storage_bandwidth_bytes_per_s).to("s")


@column
def checkpoint_interval_s(checkpoint_write_time_s: UExpr, cluster_mtbf_s: UExpr) -> UExpr:
    """Wall 19: Young's optimum sqrt(2 delta M) (Young 1974; Daly 2006, eq. 3 to first order)."""
    product = (2.0 * checkpoint_write_time_s * cluster_mtbf_s).magnitude("s**2")
    return UExpr(product.sqrt(), unit("s"))


@column
def checkpoint_overhead_fraction(checkpoint_write_time_s: UExpr, checkpoint_interval_s: UExpr,
                                 cluster_mtbf_s: UExpr, restart_time_s: UExpr) -> UExpr:
    """Time lost per unit of useful time: writing (delta / tau), and per failure half an
    interval of lost work plus the restart ((tau / 2 + R) / M), Daly 2006 to first order."""
    return (checkpoint_write_time_s / checkpoint_interval_s
            + (checkpoint_interval_s / 2.0 + restart_time_s) / cluster_mtbf_s)


@column
def goodput(checkpoint_overhead_fraction: UExpr) -> UExpr:
    """Useful fraction of wall-clock time (walls 15 and 19)."""
    return UExpr((1.0 / (1.0 + checkpoint_overhead_fraction)).expr, unit(""))


@column
def time_to_train_s(time_to_train_ideal_s: UExpr, goodput: UExpr) -> UExpr:
    return time_to_train_ideal_s / goodput


@column
def expected_failures(time_to_train_s: UExpr, cluster_mtbf_s: UExpr) -> UExpr:
    return (time_to_train_s / cluster_mtbf_s).to("")


# -- operations (walls 16-18): the rates of pipeline.walls.operations over a training run -----

@column
def ops_devices(gpus: UExpr) -> UExpr:
    return gpus


@column
def power_utilization(compute_time_s: UExpr, iteration_time_s: UExpr) -> UExpr:
    """The share of a step the GPUs compute; collectives, sends and the bubble count as idle."""
    return (compute_time_s / iteration_time_s).to("")


@column
def run_time_s(time_to_train_s: UExpr, time_to_train_ideal_s: UExpr) -> UExpr:
    """Time to train with failures and checkpoints where the cluster's MTBF and storage are
    published, else without."""
    return where(time_to_train_s.is_null(), time_to_train_ideal_s, time_to_train_s)


@column
def ops_service_time_s(run_time_s: UExpr) -> UExpr:
    return run_time_s


def _over_run(rate: UExpr, run_time_s: UExpr, target: str) -> UExpr:
    return (rate * run_time_s).to(target)


for _name, _rate, _unit in (("energy_per_run_mwh", "facility_power_w", "MWh"),
                            ("co2e_per_run_t", "co2e_g_per_h", "tCO2e"),
                            ("water_per_run_kl", "water_l_per_h", "kL"),
                            ("cloud_cost_per_run_usd", "cloud_cost_usd_per_h", "USD"),
                            ("owned_cost_per_run_usd", "owned_cost_usd_per_h", "USD")):
    define(_name, [_rate, "run_time_s"], partial(_over_run, target=_unit))


@column
def facility_energy_per_step_kwh(facility_power_w: UExpr, step_time_s: UExpr) -> UExpr:
    return (facility_power_w * step_time_s).to("kWh")


# -- wall 21 (sensitivity) of the step -----------------------------------------------------------
# iteration = (m + (p-1)/v) x (compute + tp + cp + ep per microbatch) + p2p + exposed DP: compute
# scales as 1/peak, every collective and send as 1/(link speed) when alpha and beta scale together.

def _step_share(input_utilization: UExpr, iteration_time_s: UExpr, part: UExpr) -> UExpr:
    """-part / iteration; 0 where a slow input pipeline sets the pace."""
    stretched = input_utilization.expr.fill_null(0.0) > 1.0
    return UExpr(pl.when(stretched).then(0.0).otherwise(-(part.to("s").expr / iteration_time_s.to("s").expr)),
                 unit(""))


@column
def elasticity_peak_flop_per_s(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr,
                               compute_time_per_microbatch_s: UExpr, input_utilization: UExpr,
                               iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log peak FLOP/s: the compute in every microbatch slot, bubble included."""
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    return _step_share(input_utilization, iteration_time_s, slots * compute_time_per_microbatch_s)


@column
def elasticity_network_speed(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr,
                             tp_comm_time_per_microbatch_s: UExpr, cp_comm_time_per_microbatch_s: UExpr,
                             ep_comm_time_per_microbatch_s: UExpr, pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr,
                             input_utilization: UExpr, iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log (every link's alpha^-1 and beta, scaled together)."""
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    collectives = slots * (tp_comm_time_per_microbatch_s + cp_comm_time_per_microbatch_s
                           + ep_comm_time_per_microbatch_s)
    return _step_share(input_utilization, iteration_time_s, collectives + pp_p2p_time_s + dp_exposed_time_s)


@column
def elasticity_global_batch(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr, microbatch_time_s: UExpr,
                            pp_p2p_time_s: UExpr, input_utilization: UExpr, iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log global batch at a fixed layout: m microbatch slots and 2 v m of the
    2 (v m + p - 1) sends grow with it; bubble, fill and the gradient reduction do not. 1 where a slow
    input pipeline sets the pace (the step then moves with the data)."""
    m, v = num_microbatches, virtual_stages
    sends = where(pp.expr > 1, pp_p2p_time_s * v * m / (v * m + pp - 1.0), 0)
    moving = (m * microbatch_time_s + sends) / iteration_time_s
    stretched = input_utilization.expr.fill_null(0.0) > 1.0
    return UExpr(pl.when(stretched).then(1.0).otherwise(moving.to("").expr), unit(""))


@column
def elasticity_seq_len(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr, n_layers: UExpr,
                       layers_per_gpu: UExpr, layer_forward_flop_per_sequence: UExpr,
                       attention_core_forward_flop_per_sequence: UExpr, lm_head_forward_flop_per_sequence: UExpr,
                       recompute: pl.Expr, microbatch: UExpr, tp: UExpr, cp: UExpr, ep: UExpr, gpus: UExpr,
                       dense_layer_share: UExpr, peak_flop_per_s: UExpr, eta_compute: UExpr,
                       tp_comm_time_per_microbatch_s: UExpr, cp_comm_time_per_microbatch_s: UExpr,
                       ep_comm_time_per_microbatch_s: UExpr, pp_p2p_time_s: UExpr, scaleup_domain_size: UExpr,
                       scaleup_link_latency_s: UExpr, scaleout_latency_s: UExpr, input_utilization: UExpr,
                       iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log sequence length. A layer's FLOPs are linear in s but for the
    attention scores (s^2): d/d log s of a layer = layer + attention; the LM head and every message
    (TP, CP, EP, PP) grow with s, the collectives' alpha steps and the DP reduction do not."""
    attn = attention_core_forward_flop_per_sequence
    d_layer = layer_forward_flop_per_sequence + attn
    d_recompute = n_layers * where(recompute == "full", d_layer, where(recompute == "selective", 2.0 * attn, 0))
    d_stage = (TRAIN_TO_FORWARD * (layers_per_gpu * d_layer + lm_head_forward_flop_per_sequence / pp)
               + d_recompute * (layers_per_gpu / n_layers)) * microbatch / (tp * cp)
    d_compute = (d_stage / (peak_flop_per_s * eta_compute)).to("s")
    full = where(recompute == "full", 6.0, 4.0)
    gathers = where(recompute == "full", 3.0, 2.0)
    alpha_tp = _link(tp, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    alpha_cp = _link(tp * cp, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    alpha_ep = _link(tp * cp * ep, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    alpha_pp = _link(gpus, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    steps_tp = where(tp.expr > 1, layers_per_gpu * full * 2.0 * (tp - 1.0), 0.0)
    steps_cp = where(cp.expr > 1, layers_per_gpu * gathers * (cp - 1.0), 0.0)
    steps_ep = where(ep.expr > 1, layers_per_gpu * (1.0 - dense_layer_share) * full * (ep - 1.0), 0.0)
    beta_parts = (tp_comm_time_per_microbatch_s - steps_tp * alpha_tp.fill_null(0)
                  + cp_comm_time_per_microbatch_s - steps_cp * alpha_cp.fill_null(0)
                  + ep_comm_time_per_microbatch_s - steps_ep * alpha_ep.fill_null(0))
    sends = where(pp.expr > 1, 2.0 * (virtual_stages * num_microbatches + pp - 1.0), 0.0)
    d_p2p = pp_p2p_time_s - sends * alpha_pp.fill_null(0)
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    moving = (slots * (d_compute + beta_parts) + d_p2p) / iteration_time_s
    stretched = input_utilization.expr.fill_null(0.0) > 1.0
    return UExpr(pl.when(stretched).then(0.0).otherwise(moving.to("").expr), unit(""))
