"""Batch-1 latency of a step replayed as one CUDA graph (form F4, registry_data/research/r-accf4 §1; r-accf5 §5):
NVIDIA's MLPerf TensorRT harness captures ResNet-50's and BERT's SingleStream engines in CUDA graphs
(closed/NVIDIA/configs/*/SingleStream/__init__.py ``use_graphs``, inference_results v3.0 1948f9b5, v4.1 198fc46),
so no kernel is launched from the host: each kernel costs a fixed number of SM cycles instead (r-accnode §3-§4),
and the GEMMs' K-loop fixed part (the kernel fit's k_half) is that same cost, counted once.
Which models a framework graphs and its engines' kernel counts: the efficiency profiles (``graphed_models``,
``graph_kernels_*``); the clock: the hardware catalog's ``sm_clock_hz``. Not wired: registry_data/research/r-accwire2
(wiring.patch) wires it, and says why it is not merged.
"""

from __future__ import annotations

from pipeline.units import UExpr, lit, maximum

# One replay of a straight-line graph: 2.5 us + 1 ns a node (NVIDIA technical blog "Constant Time Launch for
# Straight-Line CUDA Graphs", 2024-09-11, CUDA 12.6; r-accnode §3).
GRAPH_REPLAY_S = 2.5e-6
GRAPH_REPLAY_PER_NODE_S = 1e-9
# A kernel's fixed part in SM cycles: the catalog's Ampere memory_latency_s (the A100 sgl-kernel sweeps' alpha,
# 6.7738 us) at the clock the A100 datasheet's 624 TOPS int8 dense peak is quoted at, 624e12 / (108 SMs x 4,096
# int8 ops a clock per SM) = 1.4106 GHz (r-accnode §3; r-accwire/clocks.csv): 9,555 cycles.
KERNEL_FIXED_CYCLES = 6.773810894574074e-06 * 624e12 / (108 * 4096)


def graphed_step_s(kernels: UExpr, clock_hz: UExpr, compute_no_k_half_s: UExpr, memory_time_s: UExpr) -> UExpr:
    """F4 = N x alpha + max(compute_4, memory) + one replay: ``kernels`` the engine's kernels (TensorRT's BERT int8
    24 x 7 + 2 = 170), alpha = ``KERNEL_FIXED_CYCLES`` at the part's ``clock_hz``, ``compute_no_k_half_s`` the
    kernel fit's matmul time with its wave, tile and split-K losses but no K-loop fixed part (k_half = 0: alpha
    carries it, so it is counted once; r-accnode §4)."""
    alpha = (lit(KERNEL_FIXED_CYCLES) / clock_hz).to("s")
    return (kernels * alpha + maximum(compute_no_k_half_s, memory_time_s) + lit(GRAPH_REPLAY_S, "s")
            + kernels * lit(GRAPH_REPLAY_PER_NODE_S, "s"))
