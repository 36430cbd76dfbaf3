"""Wall 15 (fragility): a cluster fails as often as all its nodes together."""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.registries import training_column


@training_column
def nodes_used(gpus: UExpr, accelerators_per_node: UExpr) -> UExpr:
    return (gpus / accelerators_per_node).ceil()


@training_column
def cluster_mtbf_s(node_mtbf_s: UExpr, nodes_used: UExpr) -> UExpr:
    """Independent node failures, so the job fails N times as often as one node."""
    return node_mtbf_s / nodes_used


@training_column
def expected_failures(time_to_train_s: UExpr, cluster_mtbf_s: UExpr) -> UExpr:
    return (time_to_train_s / cluster_mtbf_s).to("")
