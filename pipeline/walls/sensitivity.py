"""Wall 21 (sensitivity) of the node study's latency.

latency = max(compute, memory) + element-wise + launches, with compute = FLOPs / (peak x eta),
memory = bytes / bandwidth and element-wise = its bytes / bandwidth (CNN training's passes and a training
step's optimizer update, 0 otherwise; the exposed gradient all-reduce adds a fixed term):
d log latency / d log x is -(the share of the terms x divides) for each input, the max counting
only its binding term (exact away from the compute = memory kink).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, only_where, where


def _share(is_feasible: Plain, binds: Plain, term: UExpr, latency_s: UExpr) -> UExpr:
    """-term / latency where ``term`` binds, else 0; null where nothing runs."""
    return only_where(is_feasible, where(binds, -(term / latency_s).to(""), 0.0))


@column
def elasticity_peak_flop_per_s(is_feasible: Plain, compute_time_s: UExpr, memory_time_s: UExpr,
                               latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log peak FLOP/s (the same for eta_compute)."""
    return _share(is_feasible, compute_time_s >= memory_time_s, compute_time_s, latency_s)


@column
def elasticity_memory_bandwidth(is_feasible: Plain, compute_time_s: UExpr, memory_time_s: UExpr,
                                elementwise_time_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log memory bandwidth (the binding memory term and the element-wise
    kernels both divide by it)."""
    binding = where(memory_time_s > compute_time_s, memory_time_s, 0.0) + elementwise_time_s
    return only_where(is_feasible, -(binding / latency_s).to(""))


@column
def elasticity_launch_overhead(is_feasible: Plain, launch_overhead_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log launch overhead per kernel (the host side)."""
    return only_where(is_feasible, (launch_overhead_s / latency_s).to(""))


@column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_memory_bandwidth: UExpr,
                  elasticity_launch_overhead: UExpr) -> Plain:
    """The hardware input whose 1 % change moves the latency most."""
    p, b, o = (e.abs() for e in (elasticity_peak_flop_per_s, elasticity_memory_bandwidth,
                                 elasticity_launch_overhead))
    return (E.when(p.is_null()).then(None).when((p >= b) & (p >= o)).then(E.lit("peak_flop_per_s"))
            .when(b >= o).then(E.lit("memory_bandwidth_bytes_per_s"))
            .otherwise(E.lit("launch_overhead_per_kernel_s"))).cast(E.Categorical)


@column
def elasticity_batch(is_feasible: Plain, is_moe: Plain, compute_time_s: UExpr, memory_time_s: UExpr,
                     elementwise_traffic_bytes: UExpr, weight_traffic_bytes: UExpr,
                     memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log batch. FLOPs, KV and activation bytes grow with the batch,
    weights do not: compute-bound rows move by compute / latency, memory-bound rows by the
    batch-proportional bytes' time / latency, plus the element-wise kernels' (all per sample; the optimizer
    update and the gradient all-reduce do not grow). Null for MoE (the experts a batch touches grow
    with it, not in proportion)."""
    per_batch = memory_time_s - (weight_traffic_bytes / memory_bandwidth_bytes_per_s).to("s")
    elementwise = (elementwise_traffic_bytes / memory_bandwidth_bytes_per_s).to("s")
    moving = where(compute_time_s >= memory_time_s, compute_time_s.to("s"), per_batch.to("s")) + elementwise
    return only_where(is_feasible & ~is_moe, (moving / latency_s).to(""))


@column
def elasticity_seq_len(is_feasible: Plain, is_transformer: Plain, is_moe: Plain, compute_time_s: UExpr,
                       memory_time_s: UExpr, step_flop_per_log_seq: UExpr, achievable_flop_per_s: UExpr,
                       kv_traffic_elements_per_log_seq: UExpr, kv_bytes_per_element: UExpr,
                       activation_traffic_elements_per_log_seq: UExpr, bytes_per_element: UExpr,
                       memory_bandwidth_bytes_per_s: UExpr, latency_s: UExpr) -> UExpr:
    """Wall 21: d log latency / d log sequence length, through the binding term: the FLOPs' or the
    K/V and activation bytes' growth (weights do not grow). Null for CNNs and MoE."""
    compute = (step_flop_per_log_seq / achievable_flop_per_s).to("s")
    memory = ((kv_traffic_elements_per_log_seq * kv_bytes_per_element
               + activation_traffic_elements_per_log_seq * bytes_per_element) / memory_bandwidth_bytes_per_s).to("s")
    moving = where(compute_time_s >= memory_time_s, compute, memory)
    return only_where(is_feasible & is_transformer & ~is_moe, (moving / latency_s).to(""))
