"""Wall 14 (communication): collectives in the alpha-beta model, and the tensor-, context-,
expert-, pipeline- and data-parallel traffic of the serving and training studies.

Collectives: time = steps x alpha + bytes on the wire / beta, for ``n`` devices, a message of
``message`` bytes per device, per-step latency ``alpha`` and per-direction bandwidth ``beta``.
Ring algorithms after Thakur, Rabenseifner and Gropp 2005 (Int. J. HPC Applications 19(1),
§4): reduce-scatter and all-gather move (n-1)/n of the message in n-1 steps; an all-reduce is
the two, 2(n-1) steps. The double binary tree is NCCL's (NCCL 2.4, "Massively Scale Your Deep
Learning Training with NCCL 2.4", NVIDIA 2019): two pipelined binary trees, each carrying half
the message, give logarithmic latency at full bandwidth.

All-reduces within a scale-up domain take, where the collectives catalog has a fit for the
accelerator's fabric (pipeline.catalogs.collective_fits, nccl-tests / rccl-tests curves), the
alpha and beta fitted for the message's size regime; elsewhere the hardware catalog's link
latency and link bandwidth x eta_link (``comm_basis`` says which).

Tensor parallelism costs two all-reduces per layer forward (Megatron-LM, Shoeybi et al.
2019, §3); in serving, a framework with its own peer-to-peer all-reduce (vLLM, TensorRT-LLM,
SGLang: efficiency_profiles' custom_allreduce_*) runs it below its size limit where the
custom all-reduce catalog has a fit for the fabric. Pipeline parallelism sends activations
across each stage boundary (Narayanan et al. 2021, SC21). The training step's terms are per
microbatch on the busiest stage. The serving study's per-pass terms: pipeline.walls.serving_communication.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, minimum, where
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY, link_for_span
from pipeline.walls.pcie_collectives import pcie_ring_all_reduce_s, pcie_ring_beta
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import define_training, training_column

ZERO3_TRAFFIC = 1.5  # ZeRO-3 moves 3 Psi per step against data parallelism's 2 Psi (Rajbhandari et al. 2020, §7.2)


# -- collectives ---------------------------------------------------------------------------------

def ring_reduce_scatter_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """(n-1) alpha + (n-1)/n x M / beta."""
    steps = n - 1.0
    return where(n > 1, steps * alpha + (steps / n * message / beta).to("s"), 0)


def ring_all_gather_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """The mirror of reduce-scatter: the same steps and bytes."""
    return ring_reduce_scatter_s(n, message, alpha, beta)


def ring_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """2(n-1) alpha + 2(n-1)/n x M / beta: reduce-scatter then all-gather."""
    return ring_reduce_scatter_s(n, message, alpha, beta) + ring_all_gather_s(n, message, alpha, beta)


def tree_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """Double binary tree: 2 ceil(log2 n) alpha (up the tree, then down) + 2 M / beta
    (each rank receives and sends the reduced message once per phase, pipelined)."""
    depth = n.log(2).ceil()
    return where(n > 1, 2.0 * depth * alpha + (2.0 * message / beta).to("s"), 0)


def all_to_all_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """Pairwise exchange (Thakur et al. 2005, §3.6): n-1 steps, each sending 1/n of the
    message to one peer, (n-1) alpha + (n-1)/n x M / beta. ``message``: bytes each rank holds."""
    steps = n - 1.0
    return where(n > 1, steps * alpha + (steps / n * message / beta).to("s"), 0)


def hierarchical_all_reduce_s(domains: UExpr, g: UExpr, message: UExpr, up_alpha: UExpr, up_beta: UExpr,
                              out_alpha: UExpr, out_beta: UExpr) -> UExpr:
    """All-reduce over ``domains`` scale-up domains of ``g`` ranks each, as NCCL runs it across
    nodes (ring, tree or NVLS tree): the all-reduce within the domain (2(g-1) alpha + 2(g-1)/g
    M / up_beta) and the exchange between domains run at once, chunk by chunk (NCCL pipelines
    its channels' chunks through every hop: "Massively Scale Your Deep Learning Training with
    NCCL 2.4", NVIDIA 2019), so their latencies add and the slower transfer sets the pace.
    Between domains each node's NICs together (g x ``out_beta`` per GPU) carry, per node and
    direction, M for a tree over 2 nodes (each node roots one of the two trees, half the
    message each) and 2(n-1)/n M for the ring over all n ranks (one crossing per channel
    and node; the tree over more nodes, 2 M at an inner node, is never lighter), at
    ``scaleout_hop_latency_s`` per hop, 2 ceil(log2 domains) hops (up the tree and down)."""
    n = domains * g
    within_alpha = where(g > 1, 2.0 * (g - 1.0) * up_alpha, 0)
    within = where(g > 1, (2.0 * (g - 1.0) / g * message / up_beta).to("s"), 0)
    per_node = minimum(where(domains <= 2, 1.0, 2.0), 2.0 * (n - 1.0) / n)
    across_alpha = 2.0 * domains.log(2).ceil() * scaleout_hop_latency_s(message, out_alpha)
    across = (per_node * message / (g * out_beta)).to("s")
    return where(domains > 1, within_alpha + across_alpha + maximum(within, across), within_alpha + within)


# NCCL's cost model (src/graph/tuning.cc, NVIDIA/nccl commit b6475625, hwLat[NCCL_HW_NET]): the
# network latency of a ring step with the LL protocol is 2.7 us (the cluster catalog's
# scaleout_latency_s), of a tree hop 5.0 / 8.5 / 28 us with LL / LL128 / Simple. NCCL moves
# from LL to LL128 to Simple as messages grow; per all-reduce regime r0..r4 (the fit's size
# bounds below): LL, LL, LL128, Simple, Simple. Kept as multiples of the ring LL latency so a
# cluster's own scale-out latency scales them.
TREE_HOP_LATENCY_RATIO = (5.0 / 2.7, 5.0 / 2.7, 8.5 / 2.7, 28.0 / 2.7, 28.0 / 2.7)


def scaleout_hop_latency_s(message: UExpr, out_alpha: UExpr) -> UExpr:
    """Latency of one tree hop between domains for an all-reduce of ``message`` bytes: NCCL's
    tree latency of the protocol it uses at that size, relative to ``out_alpha`` (ring LL)."""
    return _by_regime(message, [ratio * out_alpha for ratio in TREE_HOP_LATENCY_RATIO])


# Upper bounds (bytes) of the all-reduce fit's message-size regimes r0..r4, the last unbounded:
# NCCL changes protocol, algorithm and channel count with size (pipeline.catalogs.collective_fits).
ALLREDUCE_REGIME_BOUNDS_BYTES = (65536.0, 524288.0, 8388608.0, 134217728.0)
ALLREDUCE_REGIMES = tuple(f"r{i}" for i in range(len(ALLREDUCE_REGIME_BOUNDS_BYTES) + 1))
# Per regime: the fitted alpha over the hardware catalog's link latency, the fitted beta over its
# link bandwidth (null where the accelerator's fabric has no fit in use). Kept as ratios so that a
# change of the catalog's link (an override, a sensitivity) moves the fitted terms with it. First, before the
# regimes, where the scale-up domain is joined by PCIe (the hardware catalog's scaleup_pcie_ranks_per_socket and
# scaleup_socket_bandwidth_bytes_per_s; null elsewhere): the ranks under one CPU socket and the bandwidth of the CPU
# interconnect between sockets (NCCL's LL / Simple ring, ``pcie_collectives``).
PCIE_COLUMNS = ["allreduce_pcie_socket_ranks", "allreduce_pcie_socket_bandwidth_bytes_per_s"]
ALLREDUCE_FIT_COLUMNS = [*PCIE_COLUMNS, *(c for r in ALLREDUCE_REGIMES
                                          for c in (f"allreduce_alpha_ratio_{r}", f"allreduce_link_fraction_{r}"))]


def _by_regime(message: UExpr, values: list[UExpr]) -> UExpr:
    """The value of the message's size regime (values[i] for regime r_i)."""
    chosen = values[-1]
    for bound, value in reversed(list(zip(ALLREDUCE_REGIME_BOUNDS_BYTES, values, strict=False))):
        chosen = where(message < lit(bound, "B"), value, chosen)
    return chosen


def fitted_alpha_s(message: UExpr, latency: UExpr, alpha: UExpr, *fit: UExpr) -> UExpr:
    """Per-step latency of an all-reduce of ``message`` bytes in a scale-up domain: the fitted
    ratio x the catalog's link ``latency``, else ``alpha``."""
    return _by_regime(message, [(r * latency).fill_null(alpha) for r in fit[len(PCIE_COLUMNS)::2]])


def fitted_beta_bytes_per_s(message: UExpr, bandwidth: UExpr, beta: UExpr, *fit: UExpr) -> UExpr:
    """Per-direction bandwidth of that all-reduce: the fitted fraction x the catalog's link
    ``bandwidth`` (nccl-tests busbw at large messages), else ``beta`` (link x eta_link)."""
    return _by_regime(message, [(f * bandwidth).fill_null(beta) for f in fit[len(PCIE_COLUMNS) + 1::2]])


def scaleup_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr, socket_ranks: UExpr,
                         socket_bandwidth: UExpr) -> UExpr:
    """NCCL's all-reduce within one scale-up domain at its per-step ``alpha`` and bandwidth ``beta``: in a PCIe
    domain (``socket_ranks`` not null) the cheaper of its LL and Simple rings (``pcie_ring_all_reduce_s``, ``alpha``
    the link's LL step) at ``pcie_ring_beta``, elsewhere the ring at the fitted or link terms."""
    return scaleup_ring_all_reduce_s(n, message, alpha, beta, socket_ranks,
                                     pcie_ring_beta(n, beta, socket_ranks, socket_bandwidth))


def scaleup_ring_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr, socket_ranks: UExpr,
                              pcie_beta: UExpr) -> UExpr:
    """``scaleup_all_reduce_s`` given the PCIe ring's bandwidth ``pcie_beta`` (``pcie_ring_beta``; the serving study
    holds it in a column of its own): NCCL's PCIe ring where ``socket_ranks`` is not null, else the ring at ``beta``."""
    return where(socket_ranks.is_not_null(), pcie_ring_all_reduce_s(n, message, alpha, pcie_beta),
                 ring_all_reduce_s(n, message, alpha, beta))


def nccl_all_reduce_s(n: UExpr, message: UExpr, domain: UExpr, latency: UExpr, link: UExpr, up_beta: UExpr,
                      out_alpha: UExpr, out_beta: UExpr, *fit: UExpr) -> UExpr:
    """NCCL's all-reduce of ``message`` bytes over ``n`` ranks, ``domain`` to a scale-up domain: within one domain
    ``scaleup_all_reduce_s`` at the fitted alpha and beta of the message's regime (else the link ``latency`` and
    ``up_beta``; over PCIe NCCL's LL / Simple ring), else
    ``hierarchical_all_reduce_s`` with the domain's part at those and the exchange between domains at the NICs'
    ``out_alpha`` and ``out_beta`` (the kernel study's collective, the node study's gradient all-reduce)."""
    g = minimum(domain, n)
    up_alpha = fitted_alpha_s(message, latency, latency, *fit)
    up_fitted = fitted_beta_bytes_per_s(message, link, up_beta, *fit)
    return where(n <= domain, scaleup_all_reduce_s(n, message, up_alpha, up_fitted, fit[0], fit[1]),
                 hierarchical_all_reduce_s(n / g, g, message, up_alpha, up_fitted, out_alpha, out_beta))


def one_shot_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """One-shot all-reduce over peer-to-peer links: each rank reads the n-1 peers' whole buffers
    and reduces locally in one kernel, alpha + (n-1) M / beta (vLLM cross_device_reduce_1stage,
    csrc/custom_all_reduce.cuh; TensorRT-LLM ONESHOT, customAllReduceKernels.h)."""
    return where(n > 1, alpha + ((n - 1.0) * message / beta).to("s"), 0)


def runs_one_shot(n: UExpr, message: UExpr, nccl_s: UExpr, max_bytes: UExpr, max_ranks: UExpr, alpha: UExpr,
                  link_fraction: UExpr, bandwidth: UExpr) -> Plain:
    """Whether a serving framework runs its own one-shot kernel (alpha, link_fraction x
    ``bandwidth``: pipeline.catalogs.custom_allreduce, fitted to vLLM / TensorRT-LLM kernel
    microbenchmarks) rather than NCCL (``nccl_s``): the message within its documented size limit
    ``max_bytes`` and ``n`` within ``max_ranks`` (vLLM custom_all_reduce.py: max_size 8 MiB, 2-8
    ranks, NVLink; TensorRT-LLM max_workspace_size_auto), a fit for the fabric, and one-shot the
    faster: below the limit the frameworks switch to two-shot or NCCL where one-shot stops winning
    (vLLM CUSTOM_ALL_REDUCE_MAX_SIZES, all_reduce_utils.py), which the one-shot line does not
    model. Null fit or null limits: NCCL."""
    custom = one_shot_all_reduce_s(n, message, alpha, link_fraction * bandwidth)
    usable = (message <= max_bytes.fill_null(0.0)) & (n <= max_ranks.fill_null(0.0)) & alpha.is_not_null()
    return usable & (custom < nccl_s)


def framework_all_reduce_s(chosen: Plain, n: UExpr, message: UExpr, nccl_s: UExpr, alpha: UExpr, link_fraction: UExpr,
                           bandwidth: UExpr) -> UExpr:
    """The all-reduce a serving framework runs: its one-shot kernel where ``chosen`` (``runs_one_shot``), else
    NCCL's ``nccl_s``."""
    return where(chosen, one_shot_all_reduce_s(n, message, alpha, link_fraction * bandwidth), nccl_s)


# -- training: one microbatch on the busiest stage, and the step -----------------------------------

@training_column
def activation_message_bytes(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr,
                             activation_bytes_per_element: UExpr) -> UExpr:
    """One microbatch's hidden states (b x s/cp x h) at 16 bits: what TP reduces and PP sends."""
    return seq_len / cp * microbatch * d_model * ELEM_PER_TOKEN * activation_bytes_per_element


def _tp_alpha_training(tp: UExpr, activation_message_bytes: UExpr, scaleup_domain_size: UExpr,
                       scaleup_link_latency_s: UExpr, scaleout_latency_s: UExpr, *fit: UExpr) -> UExpr:
    """Per-step latency of the TP all-reduces: the fitted one within a scale-up domain."""
    within = fitted_alpha_s(activation_message_bytes, scaleup_link_latency_s, scaleup_link_latency_s, *fit)
    return link_for_span(tp, scaleup_domain_size, within, scaleout_latency_s)


def _tp_beta_training(tp: UExpr, activation_message_bytes: UExpr, scaleup_domain_size: UExpr,
                      scaleup_link_bandwidth_bytes_per_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                      scaleout_beta_bytes_per_s: UExpr, *fit: UExpr) -> UExpr:
    """Per-direction bandwidth of the TP all-reduces: the fitted one within a scale-up domain."""
    within = fitted_beta_bytes_per_s(activation_message_bytes, scaleup_link_bandwidth_bytes_per_s,
                                     scaleup_beta_bytes_per_s, *fit)
    return link_for_span(tp, scaleup_domain_size, within, scaleout_beta_bytes_per_s)


_TP_SPAN = ["tp", "activation_message_bytes", "scaleup_domain_size"]
define_training("tp_alpha_s", [*_TP_SPAN, "scaleup_link_latency_s", "scaleout_latency_s", *ALLREDUCE_FIT_COLUMNS],
                _tp_alpha_training)
define_training("tp_beta_bytes_per_s", [*_TP_SPAN, "scaleup_link_bandwidth_bytes_per_s", "scaleup_beta_bytes_per_s",
                                        "scaleout_beta_bytes_per_s", *ALLREDUCE_FIT_COLUMNS], _tp_beta_training)


@training_column
def tp_comm_time_per_microbatch_s(layers_per_gpu: UExpr, recompute: Plain, tp: UExpr,
                                  activation_message_bytes: UExpr, tp_alpha_s: UExpr,
                                  tp_beta_bytes_per_s: UExpr) -> UExpr:
    """Megatron TP: 2 all-reduces per layer forward, 2 backward, 2 more when the forward is
    recomputed (Korthikanti et al. §4.2.2). Sequence parallelism turns each into a reduce-scatter
    and an all-gather: in the ring model the same steps and bytes."""
    per_layer = where(recompute == "full", 6.0, 4.0)
    return layers_per_gpu * per_layer * ring_all_reduce_s(tp, activation_message_bytes, tp_alpha_s,
                                                          tp_beta_bytes_per_s)


@training_column
def cp_comm_time_per_microbatch_s(layers_per_gpu: UExpr, recompute: Plain, cp: UExpr, tp: UExpr,
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
    alpha = link_for_span(span, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = link_for_span(span, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    gathers = where(recompute == "full", 2.0, 1.0)
    return layers_per_gpu * (gathers * ring_all_gather_s(cp, message, alpha, beta)
                             + ring_reduce_scatter_s(cp, message, alpha, beta))


@training_column
def ep_comm_time_per_microbatch_s(layers_per_gpu: UExpr, dense_layer_share: UExpr, recompute: Plain, ep: UExpr,
                                  tp: UExpr, cp: UExpr, activation_message_bytes: UExpr,
                                  n_experts_per_token: UExpr, scaleup_domain_size: UExpr,
                                  scaleup_link_latency_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                                  scaleout_latency_s: UExpr, scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Expert parallelism: per MoE layer an all-to-all dispatch and combine forward and again
    backward (and forward again when recomputed), each moving the rank's 1/tp of the tokens
    x top-k copies (GShard, Lepikhin et al. 2020, §2.2)."""
    message = activation_message_bytes / tp * n_experts_per_token.fill_null(0.0)
    span = tp * cp * ep
    alpha = link_for_span(span, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = link_for_span(span, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    per_layer = where(recompute == "full", 6.0, 4.0)
    moe_layers = layers_per_gpu * (1.0 - dense_layer_share)
    return moe_layers * per_layer * all_to_all_s(ep, message, alpha, beta)


@training_column
def microbatch_time_s(compute_time_per_microbatch_s: UExpr, tp_comm_time_per_microbatch_s: UExpr,
                      cp_comm_time_per_microbatch_s: UExpr, ep_comm_time_per_microbatch_s: UExpr) -> UExpr:
    """One microbatch through the busiest stage, forward and backward, collectives not overlapped."""
    return (compute_time_per_microbatch_s + tp_comm_time_per_microbatch_s + cp_comm_time_per_microbatch_s
            + ep_comm_time_per_microbatch_s)


def _times_microbatches(num_microbatches: UExpr, per_microbatch: UExpr) -> UExpr:
    return num_microbatches * per_microbatch


for _term in ("compute", "tp_comm", "cp_comm", "ep_comm"):
    define_training(f"{_term}_time_s", ["num_microbatches", f"{_term}_time_per_microbatch_s"], _times_microbatches)


@training_column
def pipeline_bubble_time_s(pp: UExpr, virtual_stages: UExpr, microbatch_time_s: UExpr) -> UExpr:
    """(p-1)/v microbatch times of idle stage: bubble fraction (p-1)/(v m + p - 1) of the step
    (Narayanan et al. 2021, §2.2, 1F1B and interleaved schedules)."""
    return (pp - 1.0) / virtual_stages * microbatch_time_s


@training_column
def pipeline_bubble_fraction(pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr) -> UExpr:
    return (pp - 1.0) / (virtual_stages * num_microbatches + pp - 1.0)


@training_column
def pp_p2p_time_s(pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr, tp: UExpr, gpus: UExpr,
                  activation_message_bytes: UExpr, scaleup_domain_size: UExpr, scaleup_link_latency_s: UExpr,
                  scaleup_beta_bytes_per_s: UExpr, scaleout_latency_s: UExpr,
                  scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """Point-to-point sends on the critical path: a forward activation and a backward gradient
    per microbatch and model chunk, plus the fill and drain, 2 (v m + p - 1) sends of the
    hidden state / tp (the scatter-gather optimisation, Narayanan et al. §4.1). Stages are
    tp x cp x dp ranks apart: over the scale-out network unless the whole job is one domain."""
    alpha = link_for_span(gpus, scaleup_domain_size, scaleup_link_latency_s, scaleout_latency_s)
    beta = link_for_span(gpus, scaleup_domain_size, scaleup_beta_bytes_per_s, scaleout_beta_bytes_per_s)
    sends = 2.0 * (virtual_stages * num_microbatches + pp - 1.0)
    send = alpha + (activation_message_bytes / tp / beta).to("s")
    return where(pp > 1, sends * send, 0)


@training_column
def dp_ranks_per_domain(scaleup_domain_size: UExpr, tp: UExpr, cp: UExpr, dp: UExpr) -> UExpr:
    """Data-parallel ranks that share a scale-up domain (each domain holds whole tp x cp groups)."""
    per_domain = (scaleup_domain_size / (tp * cp)).to("").floor()
    return minimum(maximum(per_domain, 1.0), dp)


# Megatron-Core reduces the routed experts' gradients apart from the dense ones: DDP puts params with allreduce=False
# in their own buffers over get_expert_data_parallel_group() (megatron/core/distributed/distributed_data_parallel.py
# lines 85-102, 278-294), whose size is world / (expert TP x EP x PP), expert TP defaulting to TP, and whose ranks
# come from a "tp-ep-dp-pp" generator (cp folded in: stride expert TP x EP) (megatron/core/parallel_state.py lines
# 445, 694-713). Both files: mlcommons/training_results_v5.0 0fdc28f, GigaComputing/benchmarks/llama2_70b_lora/
# implementations/pytorch/Megatron-LM.


@training_column
def expert_gradient_params_per_gpu(layers_per_gpu: UExpr, dense_layer_share: UExpr, n_experts: UExpr,
                                   expert_params_each: UExpr, tp: UExpr, ep: UExpr, lora_rank: UExpr) -> UExpr:
    """The routed experts' weights a GPU trains (its MoE layers' experts over tp x ep, as params_per_gpu counts
    them): reduced over the expert-data-parallel ranks. 0 without experts, and under LoRA (adapters alone)."""
    routed = layers_per_gpu * (1.0 - dense_layer_share) * n_experts.fill_null(0.0) * expert_params_each / (tp * ep)
    return where(lora_rank > 0, 0, routed).fill_null(0.0)


@training_column
def expert_dp(dp: UExpr, cp: UExpr, ep: UExpr) -> UExpr:
    """Expert-data-parallel ranks, GPUs / (tp x ep x pp) = dp x cp / ep (Megatron-Core, comment above)."""
    return dp * cp / ep


@training_column
def expert_dp_ranks_per_domain(scaleup_domain_size: UExpr, tp: UExpr, ep: UExpr, expert_dp: UExpr) -> UExpr:
    """Expert-data-parallel ranks sharing a scale-up domain: they are tp x ep ranks apart."""
    return minimum(maximum((scaleup_domain_size / (tp * ep)).to("").floor(), 1.0), expert_dp)


@training_column
def dp_allreduce_time_s(trainable_params_per_gpu: UExpr, expert_gradient_params_per_gpu: UExpr,
                        gradient_bytes_per_param: UExpr, zero_stage: UExpr, dp: UExpr, dp_ranks_per_domain: UExpr,
                        expert_dp: UExpr, expert_dp_ranks_per_domain: UExpr, scaleup_link_latency_s: UExpr,
                        scaleup_beta_bytes_per_s: UExpr, scaleout_latency_s: UExpr,
                        scaleout_beta_bytes_per_s: UExpr, dp_frozen_gather_time_s: UExpr) -> UExpr:
    """Gradient all-reduce over dp ranks, hierarchical (NCCL): reduce-scatter among the g ranks of a domain,
    all-reduce of M/g across the dp/g domains by the faster of ring and double binary tree (what NCCL's tuner
    picks), all-gather in the domain. The routed experts' gradients reduce apart, over the expert-data-parallel
    ranks (``expert_dp``; none where it is 1), after the dense ones. ZeRO-1/2 do the same bytes as a
    reduce-scatter plus a parameter all-gather; ZeRO-3 / FSDP 1.5x (Rajbhandari et al. §7.2). LoRA: the
    adapters' gradients (training_lora)."""
    links = (scaleup_link_latency_s, scaleup_beta_bytes_per_s, scaleout_latency_s, scaleout_beta_bytes_per_s)
    experts = expert_gradient_params_per_gpu * gradient_bytes_per_param
    g, ge = dp_ranks_per_domain, expert_dp_ranks_per_domain
    dense = hierarchical_all_reduce_s(dp / g, g, trainable_params_per_gpu * gradient_bytes_per_param - experts,
                                      *links)
    expert = where(experts > 0, hierarchical_all_reduce_s(expert_dp / ge, ge, experts, *links), 0)
    return (dense + expert) * where(zero_stage >= 3, ZERO3_TRAFFIC, 1.0) + dp_frozen_gather_time_s


@training_column
def dp_exposed_time_s(dp_allreduce_time_s: UExpr, dp_overlap_fraction: UExpr) -> UExpr:
    """The part of the gradient reduction not hidden behind the backward pass."""
    return dp_allreduce_time_s * (1.0 - dp_overlap_fraction)


@training_column
def communication_time_s(tp_comm_time_s: UExpr, cp_comm_time_s: UExpr, ep_comm_time_s: UExpr,
                         pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr) -> UExpr:
    """Every collective and send on the step's critical path."""
    return tp_comm_time_s + cp_comm_time_s + ep_comm_time_s + pp_p2p_time_s + dp_exposed_time_s
