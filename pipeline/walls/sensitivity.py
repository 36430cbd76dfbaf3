"""Wall 21 (sensitivity) of the node study's latency, in the form it takes (``pipeline.walls.step_form``):

    eager     latency = max(compute, memory) + element-wise + host launches + exposed gradient all-reduce
    graphed   latency = N x alpha + max(compute_4, memory) + one replay
    enqueued  latency = N x alpha + max(convs, memory) + one launch

with compute = FLOPs / (peak x eta), memory = bytes / bandwidth, element-wise = its bytes / bandwidth (CNN
training's passes and a training step's optimizer update, 0 otherwise; the exposed gradient all-reduce adds a fixed
term) and alpha = ``KERNEL_FIXED_CYCLES`` / the SM clock: d log latency / d log x is -(the share of the terms x
divides) for each input, the max counting only its binding term (exact away from the compute = memory kink).
A conv-priced step's compute is its convs' sum, each conv's own max(compute, memory) with the tile's fixed time in
SM cycles: its parts that scale as 1 / peak, 1 / the clock and 1 / bandwidth (``pipeline.walls.conv_parts``).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, only_where, where

SM_CLOCK = "sm_clock_hz"  # binding_input's word for the SM clock (the node study's only; its serving words: BINDING)


def _share(is_feasible: Plain, binds: Plain, term: UExpr, latency_s: UExpr) -> UExpr:
    """-term / latency where ``term`` binds, else 0; null where nothing runs."""
    return only_where(is_feasible, where(binds, -(term / latency_s).to(""), 0.0))


@column
def elasticity_peak_flop_per_s(is_feasible: Plain, step_compute_time_s: UExpr, step_compute_peak_s: UExpr,
                               memory_time_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log peak FLOP/s (the same for eta_compute)."""
    return _share(is_feasible, step_compute_time_s >= memory_time_s, step_compute_peak_s, latency_s)


@column
def elasticity_memory_bandwidth(is_feasible: Plain, step_compute_time_s: UExpr, step_compute_peak_s: UExpr,
                                step_compute_clock_s: UExpr, memory_time_s: UExpr, step_elementwise_time_s: UExpr,
                                latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log memory bandwidth (the binding memory term, else a conv-priced compute term's
    memory-bound convs, and the element-wise kernels all divide by it)."""
    convs = step_compute_time_s - step_compute_peak_s - step_compute_clock_s  # 0 s but on a conv-priced step
    binding = where(memory_time_s > step_compute_time_s, memory_time_s, convs) + step_elementwise_time_s
    return only_where(is_feasible, -(binding / latency_s).to(""))


@column
def elasticity_launch_overhead(is_feasible: Plain, graphed_form: Plain, step_host_time_s: UExpr,
                               latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log launch overhead per kernel: the host's launches (eager: every kernel's;
    enqueued: one), 0 for a graph (its replay launches no kernel)."""
    return only_where(is_feasible, (where(graphed_form, 0, step_host_time_s) / latency_s).to(""))


@column
def elasticity_sm_clock(is_feasible: Plain, step_fixed_time_s: UExpr, step_compute_time_s: UExpr,
                        step_compute_clock_s: UExpr, memory_time_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log SM clock: N x alpha (graphed or enqueued; 0 eager) and, where the compute term
    binds, a conv-priced step's tiles' fixed time (both in cycles)."""
    fixed = step_fixed_time_s + where(step_compute_time_s >= memory_time_s, step_compute_clock_s, 0.0)
    return only_where(is_feasible, -(fixed / latency_s).to(""))


@column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_memory_bandwidth: UExpr,
                  elasticity_launch_overhead: UExpr, elasticity_sm_clock: UExpr) -> Plain:
    """The hardware input whose 1 % change moves the latency most (the SM clock only where it moves it: graphed or
    enqueued)."""
    p, b, o, s = (e.abs() for e in (elasticity_peak_flop_per_s, elasticity_memory_bandwidth,
                                    elasticity_launch_overhead, elasticity_sm_clock))
    return (E.when(p.is_null()).then(None).when((p >= b) & (p >= o) & (p >= s)).then(E.lit("peak_flop_per_s"))
            .when((b >= o) & (b >= s)).then(E.lit("memory_bandwidth_bytes_per_s"))
            .when(o >= s).then(E.lit("launch_overhead_per_kernel_s"))
            .otherwise(E.lit(SM_CLOCK))).cast(E.Categorical)


@column
def elasticity_batch(is_feasible: Plain, is_moe: Plain, kernel_form: Plain, step_compute_time_s: UExpr,
                     memory_time_s: UExpr, elementwise_traffic_bytes: UExpr, weight_traffic_bytes: UExpr,
                     memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log batch. FLOPs, KV and activation bytes grow with the batch,
    weights do not: compute-bound rows move by compute / latency, memory-bound rows by the
    batch-proportional bytes' time / latency, plus the element-wise kernels' (all per sample, eager only; the
    optimizer update, the gradient all-reduce and N x alpha do not grow). At fixed eta (the GEMM model's rises with
    M). Null for MoE (the experts a batch touches grow with it, not in proportion)."""
    per_batch = memory_time_s - (weight_traffic_bytes / memory_bandwidth_bytes_per_s).to("s")
    elementwise = where(kernel_form, 0, (elementwise_traffic_bytes / memory_bandwidth_bytes_per_s).to("s"))
    moving = where(step_compute_time_s >= memory_time_s, step_compute_time_s.to("s"), per_batch.to("s")) + elementwise
    return only_where(is_feasible & ~is_moe, (moving / latency_s).to(""))


@column
def elasticity_seq_len(is_feasible: Plain, is_transformer: Plain, is_moe: Plain, kernel_form: Plain,
                       step_compute_time_s: UExpr, memory_time_s: UExpr, step_flop: UExpr,
                       step_flop_per_log_seq: UExpr, achievable_flop_per_s: UExpr,
                       kv_traffic_elements_per_log_seq: UExpr, kv_bytes_per_element: UExpr,
                       activation_traffic_elements_per_log_seq: UExpr, bytes_per_element: UExpr,
                       memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log sequence length, through the binding term: the FLOPs' or the
    K/V and activation bytes' growth (weights do not grow): eager, the growing FLOPs at the profile's eta; graphed,
    the form's compute x the growing share of the FLOPs (its eta held). Null for CNNs and MoE."""
    compute = where(kernel_form, (step_compute_time_s * step_flop_per_log_seq / step_flop).to("s"),
                    (step_flop_per_log_seq / achievable_flop_per_s).to("s"))
    memory = ((kv_traffic_elements_per_log_seq * kv_bytes_per_element
               + activation_traffic_elements_per_log_seq * bytes_per_element) / memory_bandwidth_bytes_per_s).to("s")
    moving = where(step_compute_time_s >= memory_time_s, compute, memory)
    return only_where(is_feasible & is_transformer & ~is_moe, (moving / latency_s).to(""))
