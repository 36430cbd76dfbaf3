"""Wall 21 (sensitivity) of the training step.

iteration = (m + (p-1)/v) x (compute + tp + cp + ep per microbatch) + p2p + exposed DP: compute
scales as 1/peak, every collective and send as 1/(link speed) when alpha and beta scale together.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, where
from pipeline.walls.locality import link_for_span
from pipeline.walls.quantities import TRAIN_TO_FORWARD
from pipeline.walls.registries import training_column


def _input_bound(input_utilization: UExpr) -> Plain:
    """A slow input pipeline sets the step's pace (walls 8, 9)."""
    return input_utilization.fill_null(0) > 1.0


def _step_share(input_utilization: UExpr, iteration_time_s: UExpr, part: UExpr) -> UExpr:
    """-part / iteration; 0 where a slow input pipeline sets the pace."""
    return where(_input_bound(input_utilization), 0, -(part / iteration_time_s).to(""))


@training_column
def elasticity_peak_flop_per_s(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr,
                               compute_time_per_microbatch_s: UExpr, input_utilization: UExpr,
                               iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log peak FLOP/s: the compute in every microbatch slot, bubble included."""
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    return _step_share(input_utilization, iteration_time_s, slots * compute_time_per_microbatch_s)


@training_column
def elasticity_network_speed(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr,
                             tp_comm_time_per_microbatch_s: UExpr, cp_comm_time_per_microbatch_s: UExpr,
                             ep_comm_time_per_microbatch_s: UExpr, pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr,
                             input_utilization: UExpr, iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log (every link's alpha^-1 and beta, scaled together)."""
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    collectives = slots * (tp_comm_time_per_microbatch_s + cp_comm_time_per_microbatch_s
                           + ep_comm_time_per_microbatch_s)
    return _step_share(input_utilization, iteration_time_s, collectives + pp_p2p_time_s + dp_exposed_time_s)


@training_column
def elasticity_global_batch(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr, microbatch_time_s: UExpr,
                            pp_p2p_time_s: UExpr, input_utilization: UExpr, iteration_time_s: UExpr) -> UExpr:
    """Wall 21: d log step / d log global batch at a fixed layout: m microbatch slots and 2 v m of the
    2 (v m + p - 1) sends grow with it; bubble, fill and the gradient reduction do not. 1 where a slow
    input pipeline sets the pace (the step then moves with the data)."""
    m, v = num_microbatches, virtual_stages
    sends = where(pp > 1, pp_p2p_time_s * v * m / (v * m + pp - 1.0), 0)
    moving = (m * microbatch_time_s + sends) / iteration_time_s
    return where(_input_bound(input_utilization), 1.0, moving.to(""))


@training_column
def elasticity_seq_len(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr, n_layers: UExpr,
                       layers_per_gpu: UExpr, layer_forward_flop_per_sequence: UExpr,
                       attention_core_forward_flop_per_sequence: UExpr, lm_head_forward_flop_per_sequence: UExpr,
                       recompute: Plain, microbatch: UExpr, tp: UExpr, cp: UExpr, ep: UExpr, gpus: UExpr,
                       dense_layer_share: UExpr, peak_flop_per_s: UExpr, eta_compute: UExpr,
                       tp_comm_time_per_microbatch_s: UExpr, cp_comm_time_per_microbatch_s: UExpr,
                       ep_comm_time_per_microbatch_s: UExpr, pp_p2p_time_s: UExpr, scaleup_domain_size: UExpr,
                       scaleup_link_latency_s: UExpr, scaleout_latency_s: UExpr, input_utilization: UExpr,
                       iteration_time_s: UExpr, tp_alpha_s: UExpr) -> UExpr:
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
    alpha_tp = tp_alpha_s  # the TP all-reduce's own alpha (fitted within a scale-up domain)
    alpha_cp = link_for_span(tp * cp, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    alpha_ep = link_for_span(tp * cp * ep, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    alpha_pp = link_for_span(gpus, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    steps_tp = where(tp > 1, layers_per_gpu * full * 2.0 * (tp - 1.0), 0.0)
    steps_cp = where(cp > 1, layers_per_gpu * gathers * (cp - 1.0), 0.0)
    steps_ep = where(ep > 1, layers_per_gpu * (1.0 - dense_layer_share) * full * (ep - 1.0), 0.0)
    beta_parts = (tp_comm_time_per_microbatch_s - steps_tp * alpha_tp.fill_null(0)
                  + cp_comm_time_per_microbatch_s - steps_cp * alpha_cp.fill_null(0)
                  + ep_comm_time_per_microbatch_s - steps_ep * alpha_ep.fill_null(0))
    sends = where(pp > 1, 2.0 * (virtual_stages * num_microbatches + pp - 1.0), 0.0)
    d_p2p = pp_p2p_time_s - sends * alpha_pp.fill_null(0)
    slots = num_microbatches + (pp - 1.0) / virtual_stages
    moving = (slots * (d_compute + beta_parts) + d_p2p) / iteration_time_s
    return where(_input_bound(input_utilization), 0, moving.to(""))
