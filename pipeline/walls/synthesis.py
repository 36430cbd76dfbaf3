"""Wall 22 (synthesis): the inverse problem of the node study's latency, what peak FLOP/s or
memory bandwidth alone would meet a target (a fraction of the predicted latency), in the form the latency takes
(``pipeline.walls.step_form``, as wall 21 reads it).

latency = F + max(C, M) + E + H + N: C the compute term, M the overlapped memory time, E the element-wise
kernels' memory time (eager only: CNN training, the optimizer update), H the host's part (eager: every launch;
graphed: one replay; enqueued: one launch), F the device's fixed time N x alpha (graphed or enqueued; 0 eager) and
N the exposed gradient all-reduce (eager training). C = C_p + C_k + C_b: the part that scales as 1 / peak (FLOPs /
(peak x eta), eta independent of the peak: the kernel fit's k_half is a catalog constant), a conv-priced step's
tiles' fixed time in SM cycles (C_k) and its memory-bound convs (C_b, bytes / bandwidth; ``pipeline.walls.conv_parts``;
both 0 on every other row). Scaling the peak by s scales C_p by 1/s and leaves the rest; scaling the bandwidth by s
scales M, E and C_b by 1/s. max(X, Y) + Z <= b holds exactly when X + Z <= b and Y + Z <= b, so each requirement
is the current resource x the time it sets / the budget left for that time: the same formula for the profile and
the kernel compute model, and on an eager row (F = C_k = C_b = 0) the form the seed gives. Exact where the terms
are linear in the resource (eager rows, graphed transformers); a conv-priced step's split holds each conv's binding
term, so where a conv turns bound by the other resource the requirement is a lower bound (tests/walls/
test_synthesis.py: its latency at most 2.3 % over the target at the peak, 12.7 % at the bandwidth).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, maximum, only_where

# launches on an eager row; N x alpha and one replay or launch on a graphed or enqueued one (step_form's overhead)
NEITHER = "neither FLOP/s nor bandwidth alone reaches the target (the fixed per-kernel costs bind)"


@column
def target_latency_s(latency_s: UExpr, synthesis_target_fraction: UExpr) -> UExpr:
    """The target: a fraction of the predicted latency (spec: synthesis_target_fraction)."""
    return latency_s * synthesis_target_fraction


@column
def required_peak_flop_per_s(target_latency_s: UExpr, step_fixed_time_s: UExpr, step_host_time_s: UExpr,
                             step_gradient_time_s: UExpr, memory_time_s: UExpr,
                             step_elementwise_time_s: UExpr, step_compute_time_s: UExpr, step_compute_peak_s: UExpr,
                             peak_flop_per_s: UExpr) -> UExpr:
    """The peak p' at which latency meets the target T: C_p p / p' + C_k + C_b <= b and M <= b, with b = T - F - H
    - E - N, so p' = p x C_p / (b - C_k - C_b) (eager at the profile eta: FLOPs / (eta b), the seed's form); null
    where the memory term or the terms the peak does not move fill the budget (no amount of FLOP/s reaches it)."""
    # subtracted in the order the eager form's budget always was (T - F - H - E - N, F = 0 s there): the same floats
    budget = target_latency_s - step_fixed_time_s - step_host_time_s - step_elementwise_time_s - step_gradient_time_s
    left = budget - (step_compute_time_s - step_compute_peak_s)  # C_k + C_b: 0 s but on a conv-priced step
    reachable = (left > 0) & (memory_time_s <= budget)
    return only_where(reachable, (peak_flop_per_s * step_compute_peak_s / left).to("FLOP/s"))


@column
def required_memory_bandwidth_bytes_per_s(target_latency_s: UExpr, step_fixed_time_s: UExpr,
                                          step_host_time_s: UExpr, step_gradient_time_s: UExpr,
                                          step_compute_time_s: UExpr, step_compute_peak_s: UExpr,
                                          step_compute_clock_s: UExpr, memory_time_s: UExpr,
                                          step_elementwise_time_s: UExpr,
                                          memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """The least bandwidth beta' with max(C_p + C_k + C_b beta/beta', M beta/beta') + E beta/beta' <= b (b = T - F - H
    - N): beta (M + E) / b and beta (C_b + E) / (b - C_p - C_k), the larger of the two (eager: C_b = 0, beta E / (b -
    C) beside the overlapped beta (M + E) / b). Null where the compute terms the bandwidth does not move fill the
    budget."""
    budget = target_latency_s - step_fixed_time_s - step_host_time_s - step_gradient_time_s
    held = step_compute_peak_s + step_compute_clock_s
    reachable = (budget > 0) & (held < budget)
    overlapped = memory_bandwidth_bytes_per_s * (memory_time_s + step_elementwise_time_s) / budget
    beside = (memory_bandwidth_bytes_per_s * (step_compute_time_s - held + step_elementwise_time_s)
              / (budget - held))
    return only_where(reachable, maximum(overlapped.to("B/s"), beside.to("B/s")))


@column
def synthesis_note(required_peak_flop_per_s: UExpr, required_memory_bandwidth_bytes_per_s: UExpr,
                   latency_s: UExpr) -> Plain:
    """Which single resource can reach the target, if any."""
    p, b = required_peak_flop_per_s.is_null(), required_memory_bandwidth_bytes_per_s.is_null()
    return (E.when(latency_s.is_null()).then(None)
            .when(p & b).then(E.lit(NEITHER))
            .when(p).then(E.lit("only more memory bandwidth reaches the target"))
            .when(b).then(E.lit("only more FLOP/s reaches the target"))
            .otherwise(E.lit("either resource reaches the target"))).cast(E.Categorical)
