"""Wall 22 (synthesis): the inverse problem of the node study's latency, what peak FLOP/s or
memory bandwidth alone would meet a target (a fraction of the predicted latency)."""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, only_where


@column
def target_latency_s(latency_s: UExpr, synthesis_target_fraction: UExpr) -> UExpr:
    """The target: a fraction of the predicted latency (spec: synthesis_target_fraction)."""
    return latency_s * synthesis_target_fraction


@column
def required_peak_flop_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr, memory_time_s: UExpr,
                             step_flop: UExpr, eta_compute: UExpr) -> UExpr:
    """The peak FLOP/s at which latency meets the target, FLOPs / (eta (target - launches));
    null where the memory term alone exceeds the budget (no amount of FLOP/s reaches it)."""
    budget = target_latency_s - launch_overhead_s
    reachable = (budget > 0) & (memory_time_s <= budget)
    return only_where(reachable, (step_flop / (eta_compute * budget)).to("FLOP/s"))


@column
def required_memory_bandwidth_bytes_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr,
                                          compute_time_s: UExpr, bytes_moved: UExpr) -> UExpr:
    """The memory bandwidth at which latency meets the target, bytes / (target - launches);
    null where the compute term alone exceeds the budget."""
    budget = target_latency_s - launch_overhead_s
    reachable = (budget > 0) & (compute_time_s <= budget)
    return only_where(reachable, (bytes_moved / budget).to("B/s"))


@column
def synthesis_note(required_peak_flop_per_s: UExpr, required_memory_bandwidth_bytes_per_s: UExpr,
                   latency_s: UExpr) -> Plain:
    """Which single resource can reach the target, if any."""
    p, b = required_peak_flop_per_s.is_null(), required_memory_bandwidth_bytes_per_s.is_null()
    return (E.when(latency_s.is_null()).then(None)
            .when(p & b).then(E.lit("neither FLOP/s nor bandwidth alone reaches the target (launches bind)"))
            .when(p).then(E.lit("only more memory bandwidth reaches the target"))
            .when(b).then(E.lit("only more FLOP/s reaches the target"))
            .otherwise(E.lit("either resource reaches the target"))).cast(E.Categorical)
