"""Wall 3 (software): launch overhead, latency, the binding term, achieved fraction of peak,
throughput and energy of the node study's step. eta_compute itself comes from the efficiency
profiles (``pipeline.studies.efficiency``) and is an input column here."""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, maximum, only_where, where
from pipeline.walls.bounds import binding
from pipeline.walls.graph_latency import graphed_step_s, kernel_step_s


@column
def kernel_launches(is_transformer: Plain, n_layers: UExpr, kernels_per_transformer_layer: UExpr,
                    kernels_per_cnn_layer: UExpr, step_multiplier: UExpr) -> UExpr:
    """Kernels launched per step: per layer x layers; a training step launches ~3x (backward)."""
    per_layer = where(is_transformer, kernels_per_transformer_layer, kernels_per_cnn_layer)
    return n_layers * per_layer * step_multiplier


@column
def launch_overhead_s(kernel_launches: UExpr, launch_overhead_per_kernel_s: UExpr) -> UExpr:
    return kernel_launches * launch_overhead_per_kernel_s


@column
def latency_s(is_feasible: Plain, compute_time_s: UExpr, memory_time_s: UExpr, elementwise_time_s: UExpr,
              launch_overhead_s: UExpr, gradient_exposed_time_s: UExpr, graph_kernels: UExpr, sm_clock_hz: UExpr,
              graph_compute_time_s: UExpr, graphed_form: Plain, kernel_form: Plain,
              launch_overhead_per_kernel_s: UExpr, step_fixed_time_s: UExpr, step_host_time_s: UExpr) -> UExpr:
    """max(compute, memory) + element-wise kernels + launch overhead + exposed gradient all-reduce: the
    roofline step time, the memory-bound kernels beside it (wall 2, ``elementwise_time_s``: a CNN training
    step's element-wise passes, a training step's optimizer update; 0 otherwise), host launches and a
    data-parallel training step's gradient reduction (``node_data_parallel``; 0 on one device); null where
    the step does not fit. A CNN training step with a kernel count (``step_form.train_conv_kernels``) pays its
    kernels' fixed device time and one launch instead of every launch (``step_fixed_time_s``,
    ``step_host_time_s``). A step the framework replays as one CUDA graph (``graph_compute_time_s`` not null) on a part
    with a known SM clock and engine kernel count: form F4 (``pipeline.walls.graph_latency``). Else a CNN
    inference step priced conv by conv (``conv_compute_time_s`` not null) on such a part: its kernels' fixed parts
    (alpha each) + max(convs, memory) + one launch, the host enqueueing ahead (``kernel_step_s``; no element-wise
    pass or gradient in inference). Which form: ``pipeline.walls.step_form`` (``bound`` and wall 21 read its terms)."""
    eager = (maximum(compute_time_s, memory_time_s) + elementwise_time_s + step_fixed_time_s + step_host_time_s
             + gradient_exposed_time_s)
    graphed = graphed_step_s(graph_kernels, sm_clock_hz, graph_compute_time_s, memory_time_s)
    enqueued = kernel_step_s(graph_kernels, sm_clock_hz, compute_time_s, memory_time_s, launch_overhead_per_kernel_s)
    return only_where(is_feasible, where(graphed_form, graphed, where(kernel_form, enqueued, eager)))


@column
def bound(is_feasible: Plain, step_compute_time_s: UExpr, memory_time_s: UExpr, step_elementwise_time_s: UExpr,
          step_fixed_time_s: UExpr, step_host_time_s: UExpr, input_utilization: UExpr) -> Plain:
    """The largest time term of the form ``latency_s`` takes (``pipeline.walls.step_form``; the vocabulary:
    ``pipeline.walls.bounds``): compute, memory (the overlapped traffic plus the element-wise kernels) or overhead
    (the host's launches; graphed or enqueued, N x alpha + the replay or one launch); capacity where the step does not
    fit; the input pipeline when a training row's data cannot keep up (walls 8, 9, with [data] set)."""
    c, m, o = step_compute_time_s, memory_time_s + step_elementwise_time_s, step_fixed_time_s + step_host_time_s
    return binding((~is_feasible, "capacity"),
                   (input_utilization.fill_null(0) > 1.0, "input pipeline"),
                   ((c >= m) & (c >= o), "compute"),
                   (m >= o, "memory"),
                   otherwise="overhead")


@column
def achieved_flop_per_s(step_flop: UExpr, latency_s: UExpr) -> UExpr:
    return step_flop / latency_s


@column
def mfu(step_flop: UExpr, latency_s: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Model FLOPs utilisation: useful FLOPs per second over peak (Chowdhery et al. 2022, App. B)."""
    return (step_flop / (latency_s * peak_flop_per_s)).to("")


@column
def samples_per_s(batch: UExpr, latency_s: UExpr) -> UExpr:
    """Sequences (or images) advanced per second."""
    return (batch / latency_s).to("1/s")


@column
def tokens_per_s(is_transformer: Plain, tokens_per_step: UExpr, latency_s: UExpr) -> UExpr:
    return only_where(is_transformer, (tokens_per_step / latency_s).to("tok/s"))


@column
def energy_per_step_j(tdp_w: UExpr, latency_s: UExpr) -> UExpr:
    """At TDP: an upper bound (the operations study will model utilisation)."""
    return (tdp_w * latency_s).to("J")


@column
def samples_per_j(samples_per_s: UExpr, tdp_w: UExpr) -> UExpr:
    """Throughput per watt at TDP, samples/s/W."""
    return (samples_per_s / tdp_w).to("1/J")


@column
def tokens_per_j(tokens_per_s: UExpr, tdp_w: UExpr) -> UExpr:
    return (tokens_per_s / tdp_w).to("tok/J")
