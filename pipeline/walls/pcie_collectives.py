"""Wall 14 (communication) over PCIe: NCCL's ring all-reduce inside a scale-up domain whose link is PCIe (no NVLink:
an 8 x L40S server), priced by NCCL's own cost model: no published nccl-tests curve of such a server was found
to fit (registry_data/research/r-pcie).

NCCL (src/graph/tuning.cc, NVIDIA/nccl 5067397c, ``ncclTunerConstantsDefaults`` and ``ncclTopoTuneModel``) prices a
ring all-reduce of M bytes over n ranks with protocol p as baseLat[RING][p] + 2(n-1) hwLat[PCI][RING][p]
+ 2(n-1)/n x M / busBw_p and runs the protocol it prices cheapest:
- LL: 6.6 us once, 1.0 us a step, at half the ring's bus bandwidth (``busBw * .5``; llMaxBw, 87.7 GB/s and up on one
  node, never binds over PCIe);
- Simple: 8.4 us once, 5.7 us a step, at the ring's bus bandwidth;
- LL128 never: NCCL enables it only where the intra-node path is NVLink (``typeIntra <= PATH_NVB``).
The hardware catalog's scale-up latency of a PCIe part is hwLat[PCI][RING][LL] (1.0 us), so the fixed times are kept as
multiples of it (an override or a sensitivity of the link latency moves them all); the bus bandwidth is the link x
eta_link, as for any link without a fit (4 x RTX 4090 over PCIe Gen4 peer-to-peer reach 25.7-26.0 GB/s busbw,
0.80-0.81 of the 32 GB/s link: research/r-pcie/pcie_points.csv), and a ring spanning CPU sockets at most the CPU
interconnect's (``pcie_ring_beta``).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, maximum, minimum, where

# tuning.cc: ``if (a == NCCL_ALGO_RING && p == NCCL_PROTO_LL) busBw = std::min(llMaxBw, busBw * .5)``
LL_BUS_SHARE = 0.5
# (once per collective, per ring step) / hwLat[PCI][RING][LL] = 1.0 us; baseLat[RING] LL 6.6, Simple 8.4 us;
# hwLat[PCI][RING] LL 1.0, Simple 5.7 us (tuning.cc, NVIDIA/nccl 5067397c)
PCIE_RING_LATENCY_RATIO = {"LL": (6.6, 1.0), "Simple": (8.4, 5.7)}
PCIE_PROTOCOL_BUS_SHARE = {"LL": LL_BUS_SHARE, "Simple": 1.0}


def pcie_ring_beta(n: UExpr, beta: UExpr, socket_ranks: UExpr, socket_bandwidth: UExpr) -> UExpr:
    """The bus bandwidth of NCCL's ring over ``n`` ranks of a PCIe domain: the link's ``beta``, and where the ring
    spans CPU sockets (n > ``socket_ranks``) at most the CPU interconnect's ``socket_bandwidth``, which it crosses
    once each way (NCCL's ring search gives the CPU-CPU link its ncclTopoGetInterCpuBw figure, topo.cc)."""
    return where((n > socket_ranks) & socket_bandwidth.is_not_null(), minimum(beta, socket_bandwidth), beta)


def pcie_protocol_s(n: UExpr, message: UExpr, latency: UExpr, beta: UExpr) -> dict[str, tuple[UExpr, UExpr]]:
    """Per protocol, (fixed time, bandwidth time) of NCCL's ring all-reduce of ``message`` bytes over ``n`` ranks:
    (base + 2(n-1) x step) x ``latency`` and 2(n-1)/n x M / (share x ``beta``); the bandwidth term is computed once
    and divided by each protocol's share."""
    steps = 2.0 * (n - 1.0)
    transfer = (steps / n * message / beta).to("s")
    return {p: ((base + steps * step) * latency, transfer / PCIE_PROTOCOL_BUS_SHARE[p])
            for p, (base, step) in PCIE_RING_LATENCY_RATIO.items()}


def pcie_ring_all_reduce_s(n: UExpr, message: UExpr, latency: UExpr, beta: UExpr) -> UExpr:
    """NCCL's ring all-reduce over PCIe: the cheaper of LL and Simple (0 on one rank)."""
    (ll_fixed, ll_move), (simple_fixed, simple_move) = pcie_protocol_s(n, message, latency, beta).values()
    return where(n > 1, minimum(ll_fixed + ll_move, simple_fixed + simple_move), 0)


def _takes_ll(n: UExpr, message: UExpr, latency: UExpr, beta: UExpr) -> tuple[Plain, dict[str, tuple[UExpr, UExpr]]]:
    """Whether NCCL's model picks LL for that all-reduce, and the protocols' terms."""
    terms = pcie_protocol_s(n, message, latency, beta)
    (ll_fixed, ll_move), (simple_fixed, simple_move) = terms.values()
    return ll_fixed + ll_move <= simple_fixed + simple_move, terms


def pcie_ring_alpha_s(n: UExpr, message: UExpr, latency: UExpr, beta: UExpr) -> UExpr:
    """The fixed time of that all-reduce spread over its 2(n-1) ring steps (wall 21 counts 2(n-1) steps per
    all-reduce for the latency part of the TP time)."""
    ll, terms = _takes_ll(n, message, latency, beta)
    return where(ll, terms["LL"][0], terms["Simple"][0]) / maximum(2.0 * (n - 1.0), 1.0)


def pcie_ring_transfer_s(n: UExpr, message: UExpr, latency: UExpr, beta: UExpr) -> UExpr:
    """The bandwidth part of that all-reduce (its time less the chosen protocol's fixed time)."""
    ll, terms = _takes_ll(n, message, latency, beta)
    return where(n > 1, where(ll, terms["LL"][1], terms["Simple"][1]), 0)
