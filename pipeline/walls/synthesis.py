"""Wall 22 (synthesis): the inverse problem of the node study's latency, what peak FLOP/s or
memory bandwidth alone would meet a target (a fraction of the predicted latency)."""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, maximum, only_where


@column
def target_latency_s(latency_s: UExpr, synthesis_target_fraction: UExpr) -> UExpr:
    """The target: a fraction of the predicted latency (spec: synthesis_target_fraction)."""
    return latency_s * synthesis_target_fraction


@column
def required_peak_flop_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr, memory_time_s: UExpr,
                             elementwise_time_s: UExpr, step_flop: UExpr, eta_compute: UExpr) -> UExpr:
    """The peak FLOP/s at which latency meets the target, FLOPs / (eta (target - launches -
    element-wise kernels)); null where the memory term alone exceeds that budget (no amount of
    FLOP/s reaches it)."""
    budget = target_latency_s - launch_overhead_s - elementwise_time_s
    reachable = (budget > 0) & (memory_time_s <= budget)
    return only_where(reachable, (step_flop / (eta_compute * budget)).to("FLOP/s"))


@column
def required_memory_bandwidth_bytes_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr,
                                          compute_time_s: UExpr, bytes_moved: UExpr,
                                          elementwise_traffic_bytes: UExpr) -> UExpr:
    """The least bandwidth β with max(C, M/β) + E/β <= b (b = target - launches, M the overlapped
    bytes, E the element-wise bytes): (M + E) / b while C <= M/β there, else E / (b - C); the larger
    of the two. Null where the compute term alone exceeds the budget."""
    budget = target_latency_s - launch_overhead_s
    reachable = (budget > 0) & (compute_time_s < budget)
    overlapped = (bytes_moved + elementwise_traffic_bytes) / budget
    beside = elementwise_traffic_bytes / (budget - compute_time_s)
    return only_where(reachable, maximum(overlapped.to("B/s"), beside.to("B/s")))


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
