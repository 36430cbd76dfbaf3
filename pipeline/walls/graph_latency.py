"""Batch-1 latency of a step replayed as one CUDA graph (form F4, registry_data/research/r-accf4 §1; r-accf5 §5):
NVIDIA's MLPerf TensorRT harness captures ResNet-50's and BERT's SingleStream engines in CUDA graphs
(closed/NVIDIA/configs/*/SingleStream/__init__.py ``use_graphs``, inference_results v3.0 1948f9b5, v4.1 198fc46),
so no kernel is launched from the host: each kernel costs a fixed number of SM cycles instead (r-accnode §3-§4),
and the GEMMs' K-loop fixed part (the kernel fit's k_half) is that same cost, counted once.
Which models a framework graphs and its engines' kernel counts: the efficiency profiles (``graphed_models``,
``graph_kernels_*``); the clock: the hardware catalog's ``sm_clock_hz``. ``pipeline.walls.software.latency_s``
takes this form where a row is graphed and both are known, else the eager form.
"""

from __future__ import annotations

from pipeline.formulas import column, define, parameters
from pipeline.units import Plain, UExpr, lit, maximum, only_where, where
from pipeline.walls.compute import compute_time_s
from pipeline.walls.graph_convs import GRAPH_FIT  # (and its conv formulas, graph_conv_time_s)
from pipeline.walls.kernel_calls import gemm_eta_compute
from pipeline.walls.operator_shapes import mlp_eta_compute

# One replay of a straight-line graph: 2.5 us + 1 ns a node (NVIDIA technical blog "Constant Time Launch for
# Straight-Line CUDA Graphs", 2024-09-11, CUDA 12.6; r-accnode §3).
GRAPH_REPLAY_S = 2.5e-6
GRAPH_REPLAY_PER_NODE_S = 1e-9
# A kernel's fixed part in SM cycles: the catalog's Ampere memory_latency_s (the A100 sgl-kernel sweeps' alpha,
# 6.7738 us) at the clock the A100 datasheet's 624 TOPS int8 dense peak is quoted at, 624e12 / (108 SMs x 4,096
# int8 ops a clock per SM) = 1.4106 GHz (r-accnode §3; r-accwire/clocks.csv): 9,555 cycles.
KERNEL_FIXED_CYCLES = 6.773810894574074e-06 * 624e12 / (108 * 4096)
GEMMS = ("qkv_proj", "o_proj", "mlp_up", "mlp_down", "lm_head")  # operator_shapes.GEMM_SHAPES
NO_K_HALF = "_no_k_half"  # suffix of a GEMM η without the K loop's fixed part


def graphed_step_s(kernels: UExpr, clock_hz: UExpr, compute_no_k_half_s: UExpr, memory_time_s: UExpr) -> UExpr:
    """F4 = N x alpha + max(compute_4, memory) + one replay: ``kernels`` the engine's kernels (TensorRT's BERT int8
    24 x 7 + 2 = 170), alpha = ``KERNEL_FIXED_CYCLES`` at the part's ``clock_hz``, ``compute_no_k_half_s`` the
    kernel fit's matmul time with its wave, tile and split-K losses but no K-loop fixed part (k_half = 0: alpha
    carries it, so it is counted once; r-accnode §4)."""
    return kernel_step_s(kernels, clock_hz, compute_no_k_half_s, memory_time_s, graph_replay_s(kernels))


def graph_replay_s(kernels: UExpr) -> UExpr:
    """One replay of a straight-line graph of ``kernels`` nodes: the host's part of F4."""
    return lit(GRAPH_REPLAY_S, "s") + kernels * lit(GRAPH_REPLAY_PER_NODE_S, "s")


def kernels_fixed_s(kernels: UExpr, clock_hz: UExpr) -> UExpr:
    """N x alpha: each kernel's fixed part, ``KERNEL_FIXED_CYCLES`` at the part's clock (device time)."""
    return kernels * (lit(KERNEL_FIXED_CYCLES) / clock_hz).to("s")


def kernel_step_s(kernels: UExpr, clock_hz: UExpr, compute_s: UExpr, memory_time_s: UExpr, host_s: UExpr) -> UExpr:
    """N x alpha + max(compute, memory) + what the host puts on the critical path: a graph's replay
    (``graphed_step_s``), or, for an eager engine whose kernels the host enqueues ahead of the device (each longer
    than its launch), one launch (r-accrest §8 item 3: a CNN inference step priced conv by conv, at any batch)."""
    return kernels_fixed_s(kernels, clock_hz) + maximum(compute_s, memory_time_s) + host_s


def _eta_no_k_half(m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr, ceiling: UExpr,
                   best_fraction: UExpr, multiplier: UExpr, eta_compute: UExpr) -> UExpr:
    """A graphed GEMM's η: ``gemm_eta_compute`` with k_half = 0 (K / (K + 0) = 1) on the graphed step's GEMM model
    (``graph_gemm_*``: the part's kernel fit, else the fit's default form on its SMs, else the profile η)."""
    return gemm_eta_compute(m, n, k, units, tile_m, tile_n, ceiling, lit(0.0), best_fraction, multiplier, eta_compute)


for _op in GEMMS:  # the node step's GEMMs (operator_shapes.operator_gemms' "step" phase) at k_half = 0
    _p = f"step_{_op}"
    define(f"{_p}_eta_compute{NO_K_HALF}",
           [f"{_p}_gemm_m", f"{_p}_gemm_n", f"{_p}_gemm_k", *GRAPH_FIT, "framework_eta_multiplier", "eta_compute"],
           _eta_no_k_half)
define(f"step_mlp_eta_compute{NO_K_HALF}", [f"step_mlp_up_eta_compute{NO_K_HALF}",
                                            f"step_mlp_down_eta_compute{NO_K_HALF}", "step_mlp_up_gemm_n",
                                            "step_mlp_down_gemm_k"], mlp_eta_compute)
# compute_time_s's formula on those η (attention and norms as there), per operator where the graphed GEMM model is
# known (``graph_gemm_units``): one implementation of the per-operator time
define(f"compute_time{NO_K_HALF}_s",
       [f"{c}{NO_K_HALF}" if c.endswith("_eta_compute") and c.startswith("step_") and "attention" not in c
        else f"graph_{c}" if c == "gemm_units" else c for c in parameters(compute_time_s)], compute_time_s)


@column
def graph_compute_time_s(graph_engine: Plain, graph_kernels_per_transformer_layer: UExpr, batch: UExpr,
                         is_transformer: Plain, compute_time_no_k_half_s: UExpr, graph_conv_time_s: UExpr,
                         step_flop: UExpr, peak_flop_per_s: UExpr, graph_gemm_ceiling: UExpr) -> UExpr:
    """compute_4 of a step replayed as a graph (the model's engine is graphed, ``graph_engine``, by a framework that
    graphs, one stating its engines' kernels, at batch 1; null otherwise): a transformer's operators with every GEMM
    at k_half = 0 (``compute_time_no_k_half_s``); a CNN's convs one by one (``graph_convs``, form G5) where the
    conv_layers catalog lists them, else its FLOPs at the graphed GEMM model's ceiling (the kernel fit's, else its
    default form's; r-accf4 §1), null without either."""
    cnn = where(graph_conv_time_s.is_not_null(), graph_conv_time_s, step_flop / (peak_flop_per_s * graph_gemm_ceiling))
    graphed = graph_engine & graph_kernels_per_transformer_layer.is_not_null() & (batch <= 1)
    return only_where(graphed, where(is_transformer, compute_time_no_k_half_s, cnn).to("s"))


@column
def graph_kernels(is_transformer: Plain, n_layers: UExpr, graph_kernels_per_transformer_layer: UExpr,
                  graph_kernels_per_step: UExpr, graph_conv_kernels: UExpr, kernel_launches: UExpr) -> UExpr:
    """Kernels of a graphed engine: a transformer's layers x the framework's kernels a layer + those outside the
    layers (TensorRT's BERT int8: 24 x 7 + 2 = 170, r-accnode §2); a CNN's: its convs where the conv_layers catalog
    lists them (ResNet-50: 53 + the fc, r-accrest §4), else the spec's count (r-accf4 §1)."""
    cnn = where(graph_conv_kernels.is_not_null(), graph_conv_kernels, kernel_launches)
    return where(is_transformer, n_layers * graph_kernels_per_transformer_layer + graph_kernels_per_step, cnn)
