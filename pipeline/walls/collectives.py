"""Collectives in the alpha-beta model (wall 14): time = steps x alpha + bytes on the wire / beta.

``n`` devices, a message of ``message`` bytes per device, per-step latency ``alpha`` and
per-direction bandwidth ``beta``. Ring algorithms after Thakur, Rabenseifner and Gropp
2005 (Int. J. HPC Applications 19(1), §4): reduce-scatter and all-gather move (n-1)/n of
the message in n-1 steps; an all-reduce is the two, 2(n-1) steps. The double binary tree
is NCCL's (NCCL 2.4, "Massively Scale Your Deep Learning Training with NCCL 2.4", NVIDIA
2019): two pipelined binary trees, each carrying half the message, give logarithmic
latency at full bandwidth. The hierarchical all-reduce reduces within a node over the
scale-up link, all-reduces 1/g of the message between nodes, then gathers within the
node (the NCCL documentation's intra-node / inter-node split).

These are helpers over unit-carrying expressions, used by the formulas that own a column.
"""

from __future__ import annotations

from pipeline.units import UExpr, where


def _seconds(x: UExpr) -> UExpr:
    return x.to("s")


def ring_reduce_scatter_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """(n-1) alpha + (n-1)/n x M / beta."""
    steps = n - 1.0
    return where(n.expr > 1, steps * alpha + _seconds(steps / n * message / beta), 0)


def ring_all_gather_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """The mirror of reduce-scatter: the same steps and bytes."""
    return ring_reduce_scatter_s(n, message, alpha, beta)


def ring_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """2(n-1) alpha + 2(n-1)/n x M / beta: reduce-scatter then all-gather."""
    return ring_reduce_scatter_s(n, message, alpha, beta) + ring_all_gather_s(n, message, alpha, beta)


def tree_all_reduce_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """Double binary tree: 2 ceil(log2 n) alpha (up the tree, then down) + 2 M / beta
    (each rank receives and sends the reduced message once per phase, pipelined)."""
    depth = UExpr(n.expr.log(2).ceil(), n.unit)
    return where(n.expr > 1, 2.0 * depth * alpha + _seconds(2.0 * message / beta), 0)


def hierarchical_all_reduce_s(n: UExpr, per_node: UExpr, message: UExpr, alpha_intra: UExpr,
                              beta_intra: UExpr, alpha_inter: UExpr, beta_inter: UExpr) -> UExpr:
    """Intra-node reduce-scatter over ``per_node`` = g devices, a ring all-reduce of M/g over
    the n/g nodes, then an intra-node all-gather."""
    nodes = n / per_node
    return (ring_reduce_scatter_s(per_node, message, alpha_intra, beta_intra)
            + ring_all_reduce_s(nodes, message / per_node, alpha_inter, beta_inter)
            + ring_all_gather_s(per_node, message, alpha_intra, beta_intra))


def all_to_all_s(n: UExpr, message: UExpr, alpha: UExpr, beta: UExpr) -> UExpr:
    """Pairwise exchange (Thakur et al. 2005, §3.6): n-1 steps, each sending 1/n of the
    message to one peer, (n-1) alpha + (n-1)/n x M / beta. ``message``: bytes each rank holds."""
    steps = n - 1.0
    return where(n.expr > 1, steps * alpha + _seconds(steps / n * message / beta), 0)
