"""Wall 10 (locality): the bandwidth a GPU of a cluster gets on each tier of the network.

A group of consecutive ranks that fits one scale-up domain (NVLink, ICI) talks over the
scale-up link; a larger group crosses the scale-out network, whose NICs the node's GPUs
share and whose oversubscribed tiers derate.
"""

from __future__ import annotations

from pipeline.units import UExpr, where
from pipeline.walls.registries import training_column

# Achieved fraction of a NIC's line rate for NCCL traffic over InfiniBand NDR: "CX-7 NICs at NDR rate
# (400Gbps) should achieve up to 48-49GB/s per NIC" (NCCL maintainer, github.com/NVIDIA/nccl-tests/issues/267)
# and "For NDR @ 400Gbps you should see 46-48GB/s per NIC" (nccl-tests #290): 47.5 of 50 GB/s. The efficiency
# profiles' eta_link is the scale-up figure (NVLink protocol overhead ~20 %, nccl-tests #212), not the NIC's.
SCALEOUT_LINK_EFFICIENCY = 0.95


@training_column
def scaleup_beta_bytes_per_s(scaleup_link_bandwidth_bytes_per_s: UExpr, eta_link: UExpr) -> UExpr:
    return scaleup_link_bandwidth_bytes_per_s * eta_link


@training_column
def scaleout_bandwidth_per_gpu_bytes_per_s(nic_bandwidth_bits_per_s: UExpr, nics_per_node: UExpr,
                                           accelerators_per_node: UExpr, oversubscription_ratio: UExpr) -> UExpr:
    """Wall 10: the node's NICs shared by its GPUs, derated by the fabric's oversubscription
    (a 1:k oversubscribed tier gives each flow 1/k of its link when every flow crosses it)."""
    return (nic_bandwidth_bits_per_s * nics_per_node / accelerators_per_node / oversubscription_ratio).to("B/s")


@training_column
def scaleout_beta_bytes_per_s(scaleout_bandwidth_per_gpu_bytes_per_s: UExpr) -> UExpr:
    """A GPU's share of its node's NICs at NCCL's achieved fraction of their line rate."""
    return scaleout_bandwidth_per_gpu_bytes_per_s * SCALEOUT_LINK_EFFICIENCY


def link_for_span(span: UExpr, domain: UExpr, up: UExpr, out: UExpr) -> UExpr:
    """The scale-up figure when a group of ``span`` consecutive ranks fits one scale-up domain,
    else the scale-out one (Megatron-LM orders ranks tp, cp, ep/dp, pp from fastest)."""
    return where(span <= domain, up, out)
