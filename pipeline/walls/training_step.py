"""Wall 14's training step: one step of a DP x TP x PP x CP (x EP) layout, what binds it and
the throughput it gives (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training
on GPU Clusters Using Megatron-LM", SC21).

Each of ``num_microbatches`` microbatches passes the busiest pipeline stage in
``microbatch_time_s`` (its compute, plus the tensor-, context- and expert-parallel collectives
it waits on); the pipeline adds its bubble, (p-1)/v microbatch times, and its point-to-point
sends; the data-parallel gradient reduction adds whatever part of it is not overlapped. Every
term is a column (``pipeline.walls.communication``, ``training_compute``), so a layout's
difference from another is readable term by term.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, only_where
from pipeline.walls.bounds import binding
from pipeline.walls.registries import training_column


@training_column
def iteration_time_s(compute_time_s: UExpr, tp_comm_time_s: UExpr, cp_comm_time_s: UExpr, ep_comm_time_s: UExpr,
                     pipeline_bubble_time_s: UExpr, pp_p2p_time_s: UExpr, dp_exposed_time_s: UExpr) -> UExpr:
    """The step, whether or not it fits in memory."""
    return (compute_time_s + tp_comm_time_s + cp_comm_time_s + ep_comm_time_s + pipeline_bubble_time_s
            + pp_p2p_time_s + dp_exposed_time_s)


@training_column
def step_time_s(is_feasible: Plain, iteration_time_s: UExpr, dp_sgd_step_multiplier: UExpr,
                input_utilization: UExpr) -> UExpr:
    """The step, times wall 20's DP-SGD multiplier (1 without DP-SGD), stretched by the input
    pipeline when it cannot keep up (walls 8, 9; prefetching hides it below rho = 1)."""
    stretch = input_utilization.fill_null(1.0).clip(lower=1.0)
    return only_where(is_feasible, iteration_time_s * dp_sgd_step_multiplier * stretch)


@training_column
def bound(is_feasible: Plain, compute_time_s: UExpr, communication_time_s: UExpr,
          pipeline_bubble_time_s: UExpr, input_utilization: UExpr) -> Plain:
    """The largest term (``pipeline.walls.bounds``): compute, network (collectives and sends) or
    the bubble; capacity when the layout does not fit; the input pipeline when it cannot keep up."""
    c, n, b = compute_time_s, communication_time_s, pipeline_bubble_time_s
    return binding((~is_feasible, "capacity"),
                   (input_utilization.fill_null(0) > 1.0, "input pipeline"),
                   ((c >= n) & (c >= b), "compute"),
                   (n >= b, "network"),
                   otherwise="bubble")


@training_column
def tokens_per_step(global_batch: UExpr, seq_len: UExpr) -> UExpr:
    return global_batch * seq_len


@training_column
def tokens_per_s(tokens_per_step: UExpr, step_time_s: UExpr) -> UExpr:
    return tokens_per_step / step_time_s


@training_column
def scaling_efficiency(iteration_time_s: UExpr, tp: UExpr, pp: UExpr, cp: UExpr, is_feasible: Plain,
                       node_iteration_time_s: UExpr, node_tp: UExpr) -> UExpr:
    """Per-GPU throughput against the same model on one node of the cluster: the same microbatch
    size and count per data-parallel rank, tp capped at the node, no pipeline, context or expert
    parallelism (memory not checked there). Per-GPU throughput is m b s / (T tp pp cp)."""
    return only_where(is_feasible, node_iteration_time_s * node_tp / (iteration_time_s * tp * pp * cp))


@training_column
def samples_per_s(global_batch: UExpr, step_time_s: UExpr) -> UExpr:
    """Sequences trained per second, MLPerf Training's throughput for its LLM benchmarks."""
    return (global_batch / step_time_s).to("1/s")
