"""Wall 10 (locality): the bandwidth a GPU of a cluster gets on each tier of the network.

A group of consecutive ranks that fits one scale-up domain (NVLink, ICI) talks over the
scale-up link; a larger group crosses the scale-out network, whose NICs the node's GPUs
share and whose oversubscribed tiers derate.
"""

from __future__ import annotations

from pipeline.units import UExpr, where
from pipeline.walls.registries import training_column


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
def scaleout_beta_bytes_per_s(scaleout_bandwidth_per_gpu_bytes_per_s: UExpr, eta_link: UExpr) -> UExpr:
    return scaleout_bandwidth_per_gpu_bytes_per_s * eta_link


def link_for_span(span: UExpr, domain: UExpr, up: UExpr, out: UExpr) -> UExpr:
    """The scale-up figure when a group of ``span`` consecutive ranks fits one scale-up domain,
    else the scale-out one (Megatron-LM orders ranks tp, cp, ep/dp, pp from fastest)."""
    return where(span <= domain, up, out)
