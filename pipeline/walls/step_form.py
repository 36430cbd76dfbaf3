"""Which form the node step's latency takes, and its terms: ``pipeline.walls.software.latency_s`` selects by
``graphed_form`` / ``kernel_form``, and its ``bound`` and wall 21's elasticities (``pipeline.walls.sensitivity``) read
the terms of the form it took, so that each elasticity is the derivative of the latency the row reports.

    eager     latency = max(compute, memory) + element-wise + host launches + exposed gradient all-reduce
    graphed   latency = N x alpha + max(compute_4, memory) + one graph replay        (F4, ``graph_latency``)
    enqueued  latency = N x alpha + max(convs, memory) + one launch                  (``graph_latency.kernel_step_s``)

Terms: compute (``step_compute_time_s``: compute_4 where graphed, else ``compute_time_s``, the convs' sum on a
conv-priced row; its parts that scale as 1 / peak and as 1 / the SM clock, ``step_compute_peak_s`` and
``step_compute_clock_s``, the rest, a conv-priced step's memory-bound convs, as 1 / bandwidth), memory
(``memory_time_s``, with ``step_elementwise_time_s`` beside it, eager only), the exposed gradient all-reduce
(``step_gradient_time_s``, eager only), the device's fixed time
(``step_fixed_time_s``: N x alpha, 0 eager) and the host's (``step_host_time_s``). "Overhead" is the fixed per-kernel
cost neither FLOP/s nor bandwidth moves: eager, the host's launches; graphed or enqueued, N x alpha (device time: a
kernel's launch to its first tile, r-accnode §3) + the replay or the one launch. N x alpha scales as 1 / the SM clock
(``KERNEL_FIXED_CYCLES`` cycles a kernel): its elasticity is the clock's, ``elasticity_sm_clock`` (with a conv-priced
step's tiles' fixed time); the launch overhead per kernel moves only the enqueued form's one launch (a graph's replay
launches no kernel).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, only_where, where
from pipeline.walls.graph_latency import graph_replay_s, kernels_fixed_s


@column
def graphed_form(graph_compute_time_s: UExpr, graph_kernels: UExpr, sm_clock_hz: UExpr) -> Plain:
    """F4: a step the framework replays as one CUDA graph (``graph_compute_time_s`` not null) on a part with a known
    SM clock and engine kernel count."""
    return graph_compute_time_s.is_not_null() & graph_kernels.is_not_null() & sm_clock_hz.is_not_null()


@column
def kernel_form(graphed_form: Plain, conv_compute_time_s: UExpr, graph_kernels: UExpr, sm_clock_hz: UExpr,
                launch_overhead_per_kernel_s: UExpr, compute_time_s: UExpr, memory_time_s: UExpr) -> Plain:
    """Priced kernel by kernel (N x alpha + max(compute, memory) + the host's part): graphed, or a CNN inference step
    priced conv by conv (``conv_compute_time_s`` not null) on such a part, enqueued; else eager."""
    enqueued = (conv_compute_time_s.is_not_null() & graph_kernels.is_not_null() & sm_clock_hz.is_not_null()
                & launch_overhead_per_kernel_s.is_not_null()
                & (compute_time_s.is_not_null() | memory_time_s.is_not_null()))
    return graphed_form | enqueued


@column
def step_compute_time_s(graphed_form: Plain, graph_compute_time_s: UExpr, compute_time_s: UExpr) -> UExpr:
    """The compute term of the step's form: compute_4 where graphed, else the step's compute."""
    return where(graphed_form, graph_compute_time_s, compute_time_s)


@column
def step_compute_peak_s(kernel_form: Plain, conv_peak_time_s: UExpr, step_compute_time_s: UExpr) -> UExpr:
    """The part of the compute term that scales as 1 / peak FLOP/s: a conv-priced step's (``conv_parts``), else all
    of it (FLOPs / (peak x eta), eta independent of peak; a graph's GEMMs at k_half = 0)."""
    return where(kernel_form & conv_peak_time_s.is_not_null(), conv_peak_time_s, step_compute_time_s)


@column
def step_compute_clock_s(kernel_form: Plain, conv_clock_time_s: UExpr) -> UExpr:
    """The part of the compute term that scales as 1 / the SM clock: a conv-priced step's tiles' fixed time
    (``conv_parts``), else 0."""
    return where(kernel_form & conv_clock_time_s.is_not_null(), conv_clock_time_s, 0)


@column
def step_elementwise_time_s(kernel_form: Plain, elementwise_time_s: UExpr) -> UExpr:
    """The memory-bound kernels beside the roofline's max: eager only (the other forms price inference)."""
    return where(kernel_form, 0, elementwise_time_s)


@column
def step_gradient_time_s(kernel_form: Plain, gradient_exposed_time_s: UExpr) -> UExpr:
    """The exposed gradient all-reduce: eager only, as ``software.latency_s`` adds it (the other forms price
    inference)."""
    return where(kernel_form, 0, gradient_exposed_time_s)


# A CNN training step's kernels a convolution: the forward convolution and batch norm (its ReLU fused), the backward
# batch norm, data and weight gradients. NVIDIA's MXNet ResNet-50, which every MLPerf ResNet training row runs, follows
# each Convolution with BatchNorm(act_type='relu') or BatchNormAddRelu (mlcommons/training_results_v4.0 6fe9543
# NVIDIA/benchmarks/resnet/implementations/eos_n316_ngc24.04_mxnet/symbols/resnet-v1b-fl.py lines 150-213) and
# replays the step in CUDA graphs (MXNET_ENABLE_CUDA_GRAPHS=1, config_DGXA100_common.sh): the host runs ahead, so
# each kernel's fixed device time is on the critical path and one launch is (the enqueued form's accounting).
CNN_TRAIN_KERNELS_PER_CONV = 5.0


@column
def train_conv_kernels(is_transformer: Plain, step: Plain, graph_conv_kernels: UExpr, sm_clock_hz: UExpr) -> UExpr:
    """A CNN training step's kernels, its convs (the conv_layers catalog's, with the fc: ResNet-50 54) x
    ``CNN_TRAIN_KERNELS_PER_CONV``, where the part's SM clock is known; null elsewhere (every host launch)."""
    train = ~is_transformer & (step == "train") & sm_clock_hz.is_not_null()
    return only_where(train, graph_conv_kernels * CNN_TRAIN_KERNELS_PER_CONV)


@column
def step_fixed_time_s(kernel_form: Plain, graph_kernels: UExpr, sm_clock_hz: UExpr, train_conv_kernels: UExpr) -> UExpr:
    """N x alpha where priced kernel by kernel (device time), and on a CNN training step with its kernel count
    (``train_conv_kernels``), else 0."""
    return where(kernel_form, kernels_fixed_s(graph_kernels, sm_clock_hz),
                 kernels_fixed_s(train_conv_kernels, sm_clock_hz).fill_null(0.0))


@column
def step_host_time_s(graphed_form: Plain, kernel_form: Plain, graph_kernels: UExpr,
                     launch_overhead_per_kernel_s: UExpr, launch_overhead_s: UExpr, train_conv_kernels: UExpr) -> UExpr:
    """What the host puts on the critical path: one replay (graphed), one launch (enqueued, and a CNN training step
    with its kernel count), every launch (eager)."""
    return where(graphed_form, graph_replay_s(graph_kernels),
                 where(kernel_form | train_conv_kernels.is_not_null(), launch_overhead_per_kernel_s, launch_overhead_s))

