"""Wall 22 (synthesis): the inverse problem of the node study's latency, what peak FLOP/s or
memory bandwidth alone would meet a target (a fraction of the predicted latency).

latency = max(C, M) + E + L (wall 3): C the compute time, M the overlapped memory time, E the
element-wise kernels' memory time (CNN training, else 0), L the host launches. Under either
compute model C is a sum of FLOPs / (peak x η) terms: one term at the profile η, or one per
operator at its shape's η (the GEMM kernel fit, ``pipeline.walls.compute.compute_time_s``);
η does not depend on the peak (the kernel fit's k_half is a catalog constant), so scaling the
peak by s scales C by 1/s and leaves M, E and L as they are. Likewise M and E are bytes /
bandwidth and scale by 1/s with the bandwidth, C and L kept. Each requirement is therefore the
current resource x the time it sets / the budget left for that time, the same formula for the
profile and the kernel compute model.
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, maximum, only_where


@column
def target_latency_s(latency_s: UExpr, synthesis_target_fraction: UExpr) -> UExpr:
    """The target: a fraction of the predicted latency (spec: synthesis_target_fraction)."""
    return latency_s * synthesis_target_fraction


@column
def required_peak_flop_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr, memory_time_s: UExpr,
                             elementwise_time_s: UExpr, gradient_exposed_time_s: UExpr, compute_time_s: UExpr,
                             peak_flop_per_s: UExpr) -> UExpr:
    """The peak p' at which latency meets the target T: C p / p' <= b with b = T - L - E - N (the
    un-scalable terms kept, N the exposed gradient all-reduce), so p' = p x C / b (profile η: = FLOPs /
    (η b), the seed's form); null where the memory term alone fills the budget (no amount of FLOP/s
    reaches it)."""
    budget = target_latency_s - launch_overhead_s - elementwise_time_s - gradient_exposed_time_s
    reachable = (budget > 0) & (memory_time_s <= budget)
    return only_where(reachable, (peak_flop_per_s * compute_time_s / budget).to("FLOP/s"))


@column
def required_memory_bandwidth_bytes_per_s(target_latency_s: UExpr, launch_overhead_s: UExpr,
                                          gradient_exposed_time_s: UExpr, compute_time_s: UExpr,
                                          memory_time_s: UExpr, elementwise_time_s: UExpr,
                                          memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """The least bandwidth β' with max(C, M β/β') + E β/β' <= b (b = T - L - N): β (M + E) / b while
    C <= M β/β' there, else β E / (b - C); the larger of the two. Null where the compute term
    alone fills the budget."""
    budget = target_latency_s - launch_overhead_s - gradient_exposed_time_s
    reachable = (budget > 0) & (compute_time_s < budget)
    overlapped = memory_bandwidth_bytes_per_s * (memory_time_s + elementwise_time_s) / budget
    beside = memory_bandwidth_bytes_per_s * elementwise_time_s / (budget - compute_time_s)
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
