"""Wall 14 (communication) in the serving study: the TP all-reduces, PP sends and their sum of a pass of each
phase over the scale-up link (and the scale-out fabric for the PP boundaries between domains). The collectives
themselves: pipeline.walls.communication."""

from __future__ import annotations

from pipeline.units import Plain, UExpr, maximum, where
from pipeline.walls.communication import (ALLREDUCE_FIT_COLUMNS, PCIE_COLUMNS, fitted_alpha_s,
                                          fitted_beta_bytes_per_s, framework_all_reduce_s, runs_one_shot,
                                          scaleup_ring_all_reduce_s)
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY
from pipeline.walls.pcie_collectives import pcie_ring_alpha_s, pcie_ring_beta, pcie_ring_transfer_s
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import define_serving
from pipeline.walls.serving import PHASES


# -- serving: a pass of each phase over the scale-up link ------------------------------------------

def _tp_message(t: UExpr, d: UExpr, abytes: UExpr) -> UExpr:
    """The hidden states of a pass's tokens, the message of each TP all-reduce (Megatron-LM). A column of its own:
    the all-reduce's size regimes and the one-shot test each read it (inline, ~20 copies per pass)."""
    return t * d * ELEM_PER_TOKEN * abytes


def _tp_nccl_alpha(message: UExpr, alpha: UExpr, *fit: UExpr) -> UExpr:
    """NCCL's per-step latency for that message: the alpha fitted for its size regime where the collectives catalog
    has one, else the link latency ``alpha`` (``fitted_alpha_s``). A column of its own, as is the beta: the ring
    reads each twice and the one-shot test and the choice read the ring (inline, ~8 KB of plan per pass)."""
    return fitted_alpha_s(message, alpha, alpha, *fit)


def _tp_nccl_beta(message: UExpr, beta: UExpr, eta_l: UExpr, *fit: UExpr) -> UExpr:
    """NCCL's per-direction bandwidth for that message: the fitted fraction of the link ``beta`` for its size regime,
    else beta x eta_link (``fitted_beta_bytes_per_s``)."""
    return fitted_beta_bytes_per_s(message, beta, beta * eta_l, *fit)


def _tp_one_shot(tp: UExpr, message: UExpr, nccl: UExpr, alpha: UExpr, beta: UExpr, max_bytes: UExpr,
                 max_ranks: UExpr, custom_ratio: UExpr, custom_fraction: UExpr) -> Plain:
    """Whether the framework runs its own one-shot kernel for that all-reduce rather than NCCL (``runs_one_shot``:
    vLLM custom_all_reduce.py, TensorRT-LLM ONESHOT; its alpha the fitted ratio x the link latency ``alpha``, its
    bandwidth the fitted fraction of the link ``beta``). A flag column of its own: the TP time, its alpha and its
    socket part each read it."""
    return runs_one_shot(tp, message, nccl, max_bytes, max_ranks, custom_ratio * alpha, custom_fraction, beta)


def _tp_comm(n_layers: UExpr, tp: UExpr, message: UExpr, nccl: UExpr, one_shot: Plain, alpha: UExpr, beta: UExpr,
             custom_ratio: UExpr, custom_fraction: UExpr) -> UExpr:
    """TP: two all-reduces of the step's hidden states per layer (Megatron-LM), each NCCL's ring
    or the framework's own one-shot kernel (``framework_all_reduce_s``)."""
    each = framework_all_reduce_s(one_shot, tp, message, nccl, custom_ratio * alpha, custom_fraction, beta)
    return where(tp > 1, 2.0 * n_layers * each, 0)


def _tp_alpha(tp: UExpr, message: UExpr, one_shot: Plain, nccl_alpha: UExpr, pcie_beta: UExpr, socket_ranks: UExpr,
              alpha: UExpr, custom_ratio: UExpr) -> UExpr:
    """The per-step latency of the TP all-reduce of a pass, per ring step (wall 21 counts 2(tp-1)
    steps per all-reduce for its alpha part): NCCL's (possibly fitted) alpha ``nccl_alpha`` (over PCIe the fixed
    time of its LL or Simple ring spread over those steps), or where the framework's one-shot kernel runs, its
    single alpha spread over them."""
    spread = custom_ratio * alpha / maximum(2.0 * (tp - 1.0), 1.0)
    nccl_step = where(socket_ranks.is_not_null(), pcie_ring_alpha_s(tp, message, nccl_alpha, pcie_beta), nccl_alpha)
    return where(one_shot, spread, nccl_step)


def _tp_socket(n_layers: UExpr, tp: UExpr, message: UExpr, one_shot: Plain, nccl_alpha: UExpr, nccl_beta: UExpr,
               pcie_beta: UExpr, socket_ranks: UExpr, socket_bw: UExpr) -> UExpr:
    """The part of a pass's TP all-reduces that moves at the CPU interconnect, not the scale-up link: NCCL's PCIe
    ring across sockets where the socket figure is the lower (``pcie_ring_beta``); wall 21 keeps it out of the
    link bandwidth's share."""
    capped = socket_ranks.is_not_null() & (tp > socket_ranks) & (socket_bw < nccl_beta) & ~one_shot
    return where(capped, 2.0 * n_layers * pcie_ring_transfer_s(tp, message, nccl_alpha, pcie_beta), 0)


def _pp_comm(pp: UExpr, t: UExpr, d: UExpr, abytes: UExpr, alpha: UExpr, beta: UExpr, eta_l: UExpr,
             crossing: UExpr, out_alpha: UExpr, out_beta: UExpr) -> UExpr:
    """PP: one send of the step's hidden states across each of the pp - 1 stage boundaries, over
    the scale-up link, and over the cluster's scale-out fabric (its latency, the node's NIC share x
    SCALEOUT_LINK_EFFICIENCY) for the ``crossing`` boundaries between domains (``expert_parallel``)."""
    message = t * d * ELEM_PER_TOKEN * abytes
    hop = alpha + (message / (beta * eta_l)).to("s")
    out_hop = out_alpha + (message / (out_beta * SCALEOUT_LINK_EFFICIENCY)).to("s")
    across = (pp - 1.0 - crossing) * hop + crossing * out_hop
    return where(pp > 1, where(crossing > 0, across, (pp - 1.0) * hop), 0)


def _pp_scaleout(pp: UExpr, t: UExpr, d: UExpr, abytes: UExpr, crossing: UExpr, out_alpha: UExpr,
                 out_beta: UExpr) -> UExpr:
    """The part of ``_pp_comm`` over the scale-out fabric (wall 21 keeps it out of the scale-up link's terms)."""
    out_hop = out_alpha + (t * d * ELEM_PER_TOKEN * abytes / (out_beta * SCALEOUT_LINK_EFFICIENCY)).to("s")
    return where((pp > 1) & (crossing > 0), crossing * out_hop, 0)


def _comm_total(tp_t: UExpr, pp_t: UExpr, a2a_t: UExpr, gather_t: UExpr) -> UExpr:
    """TP all-reduces, PP sends, the EP all-to-alls (``expert_parallel``; 0 without EP) and the TP gather of the
    logits (``sampling``)."""
    return tp_t.fill_null(0) + pp_t.fill_null(0) + a2a_t.fill_null(0) + gather_t.fill_null(0)


# hidden states cross the link in 16 bits under FP8/FP4 compute (serving.hidden_state_bytes_per_element)
_LINK = ["hidden_state_bytes_per_element", "scaleup_link_latency_s", "scaleup_link_bandwidth_bytes_per_s", "eta_link"]
_CUSTOM = ["custom_allreduce_max_bytes", "custom_allreduce_max_ranks", "custom_allreduce_alpha_ratio",
           "custom_allreduce_link_fraction"]
for _p in PHASES:
    _message, _nccl = f"{_p}_tp_message_bytes", f"{_p}_tp_nccl_all_reduce_s"
    _alpha, _beta = f"{_p}_tp_nccl_alpha_s", f"{_p}_tp_nccl_beta_bytes_per_s"
    _pcie, _one_shot = f"{_p}_tp_pcie_beta_bytes_per_s", f"{_p}_tp_runs_one_shot"
    define_serving(_message, [f"{_p}_tokens", "d_model", "hidden_state_bytes_per_element"], _tp_message)
    define_serving(_alpha, [_message, _LINK[1], *ALLREDUCE_FIT_COLUMNS], _tp_nccl_alpha)
    define_serving(_beta, [_message, *_LINK[2:], *ALLREDUCE_FIT_COLUMNS], _tp_nccl_beta)
    # NCCL's PCIe ring bandwidth, at most the CPU interconnect's across sockets (pcie_collectives; topo.cc), B/s
    define_serving(_pcie, ["tp", _beta, *PCIE_COLUMNS], pcie_ring_beta)
    # NCCL's all-reduce of that message at the alpha and beta of its size regime (over PCIe its LL or Simple ring at
    # that bandwidth): what the framework's one-shot kernel is compared with
    define_serving(_nccl, ["tp", _message, _alpha, _beta, PCIE_COLUMNS[0], _pcie], scaleup_ring_all_reduce_s)
    # the framework's one-shot kernel or NCCL (communication.runs_one_shot; vLLM custom_all_reduce.py), a flag
    define_serving(_one_shot, ["tp", _message, _nccl, *_LINK[1:3], *_CUSTOM], _tp_one_shot)
    define_serving(f"{_p}_tp_comm_time_s", ["n_layers", "tp", _message, _nccl, _one_shot, *_LINK[1:3], *_CUSTOM[2:]],
                   _tp_comm)
    define_serving(f"{_p}_tp_alpha_s", ["tp", _message, _one_shot, _alpha, _pcie, PCIE_COLUMNS[0], _LINK[1],
                                        _CUSTOM[2]], _tp_alpha)
    define_serving(f"{_p}_tp_socket_time_s", ["n_layers", "tp", _message, _one_shot, _alpha, _beta, _pcie,
                                              *PCIE_COLUMNS], _tp_socket)
    define_serving(f"{_p}_pp_comm_time_s", ["pp", f"{_p}_tokens", "d_model", *_LINK, "pp_crossing_boundaries",
                                            "scaleout_latency_s", "scaleout_bandwidth_per_gpu_bytes_per_s"], _pp_comm)
    define_serving(f"{_p}_pp_scaleout_time_s", ["pp", f"{_p}_tokens", "d_model", "hidden_state_bytes_per_element",
                                                "pp_crossing_boundaries", "scaleout_latency_s",
                                                "scaleout_bandwidth_per_gpu_bytes_per_s"], _pp_scaleout)
    define_serving(f"{_p}_communication_time_s", [f"{_p}_tp_comm_time_s", f"{_p}_pp_comm_time_s",
                                                  f"{_p}_alltoall_time_s", f"{_p}_logits_gather_time_s"],
                   _comm_total)
