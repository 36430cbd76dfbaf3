"""Wall 19 (checkpoint): how often a training run saves its state, what that costs, and the
goodput left after checkpoints and failures (walls 15 and 19)."""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.quantities import OPTIMIZER_BYTES, WORKING_WEIGHT_BYTES
from pipeline.walls.registries import training_column


@training_column
def checkpoint_bytes(params_computed: UExpr) -> UExpr:
    """16-bit weights + fp32 master and Adam moments: the state a restart needs."""
    return params_computed * (WORKING_WEIGHT_BYTES + OPTIMIZER_BYTES)


@training_column
def checkpoint_write_time_s(checkpoint_bytes: UExpr, checkpoint_storage_bandwidth_bytes_per_s: UExpr) -> UExpr:
    return (checkpoint_bytes / checkpoint_storage_bandwidth_bytes_per_s).to("s")


@training_column
def checkpoint_interval_s(checkpoint_write_time_s: UExpr, cluster_mtbf_s: UExpr) -> UExpr:
    """Young's optimum sqrt(2 delta M) (Young 1974; Daly 2006, eq. 3 to first order)."""
    return (2.0 * checkpoint_write_time_s * cluster_mtbf_s).to("s**2").sqrt().to("s")


@training_column
def checkpoint_overhead_fraction(checkpoint_write_time_s: UExpr, checkpoint_interval_s: UExpr,
                                 cluster_mtbf_s: UExpr, restart_time_s: UExpr) -> UExpr:
    """Time lost per unit of useful time: writing (delta / tau), and per failure half an
    interval of lost work plus the restart ((tau / 2 + R) / M), Daly 2006 to first order."""
    return (checkpoint_write_time_s / checkpoint_interval_s
            + (checkpoint_interval_s / 2.0 + restart_time_s) / cluster_mtbf_s)


@training_column
def goodput(checkpoint_overhead_fraction: UExpr) -> UExpr:
    """Useful fraction of wall-clock time (walls 15 and 19)."""
    return (1.0 / (1.0 + checkpoint_overhead_fraction)).to("")


@training_column
def time_to_train_s(time_to_train_ideal_s: UExpr, goodput: UExpr) -> UExpr:
    return time_to_train_ideal_s / goodput
