"""Wall 1 for training, the low-precision recipe's own kernels: an FP8 / FP4 GEMM reads quantized operands, so
Transformer Engine quantizes each 16-bit GEMM input first (``tex.quantize`` / cast-transpose kernels), memory-bound
work that does not shrink with the GEMM's precision. The GEMM model's efficiency is fitted to kernels fed with
already-quantized operands (``pipeline.walls.gemm``; registry_data/research/r-kernels/gemm.csv), so the casts are
a term of their own, bytes over the HBM bandwidth like ``pipeline.walls.training_traffic``'s element-wise kernels.

Per element a cast reads the 16-bit tensor (2 B) and writes one quantized copy per use: the row-wise copy feeds the
forward (X) or data-gradient (dY) GEMM and a column-wise (transposed) copy the weight-gradient GEMM, which a frozen
LoRA base does not run (TE quantizes the input column-wise only when ``weight.requires_grad``:
transformer_engine/pytorch/module/linear.py, ``backward_needs_input``). A copy is 1 B under FP8 and 0.5 B + one
E4M3 scale per 16 elements under NVFP4, whose per-tensor global scale needs an extra amax pass over the 16-bit
tensor (+2 B read; NVIDIA/TransformerEngine docs/examples/gemm_profiling/gemm_profiling.rst, "the extra memory
pass for per-tensor amax computation"; Abecassis et al. 2025, arXiv:2509.25149 §2: 16-element E4M3 block scales
and an FP32 tensor scale). MXFP8's E8M0 scales (1 per 32 elements) and NVFP4's Hadamard transforms are left out
(a lower bound). The per-recipe figures come with the cluster side (``studies.training.cluster_side``):
``quantize_read_bytes_per_element`` and ``quantized_copy_bytes_per_element``, 0 for 16-bit rows.

Which inputs are cast apart, in Megatron-Core's layer (TELayerNormColumnParallelLinear for QKV and FC1,
TERowParallelLinear for the projection and FC2, the activation Megatron's own 16-bit kernel): the QKV and FC1
inputs are written by their norm already quantized (fused, no extra bytes over the 16-bit norm output
``training_traffic`` charges), the projection's input (attention's 16-bit output, d/tp per token) and FC2's input
(the activation's 16-bit output, f) are cast apart, and in the backward every GEMM's output gradient arrives
in 16 bits and is cast: QKV's (1 + 2 kv/a) d/tp, the projection's and FC2's (h, whole on every TP rank without
sequence parallelism), FC1's (f, 2f gated). Full recomputation repeats the forward casts. The weights' casts
(once a step: TE caches them across microbatches) are left out.

Measured check (registry_data/research/r-fp8cast): TE's GEMM benchmark on B300 (5B config, autocast minus
pre-quantized) moves its casts' bytes at 4.1-5.5 TB/s for MXFP8, 0.54-0.72 of the catalog's 7.7 TB/s.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, where
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import training_column


@training_column
def layer_quantize_bytes_per_microbatch(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr,
                                        n_heads: UExpr, n_kv_heads: UExpr, mlp_width_per_device: UExpr,
                                        is_gated_mlp: Plain, tp: UExpr, recompute: Plain, sequence_parallel: Plain,
                                        weight_gradient_matmuls: UExpr, quantize_read_bytes_per_element: UExpr,
                                        quantized_copy_bytes_per_element: UExpr) -> UExpr:
    """Bytes the unfused GEMM-input casts of one layer move on the busiest GPU for one microbatch (the module's
    count): the projection's and FC2's inputs (forward, again under full recomputation) and the four GEMMs' output
    gradients (backward), each read and written as (1 + weight_gradient_matmuls) quantized copies."""
    h = d_model * where(sequence_parallel, 1.0 / tp, 1.0) * ELEM_PER_TOKEN  # a whole activation on this GPU
    sharded = d_model / tp * ELEM_PER_TOKEN
    f = mlp_width_per_device  # already per tp rank
    forward = (sharded + f) * where(recompute == "full", 2.0, 1.0)
    backward = (1.0 + 2.0 * n_kv_heads / n_heads) * sharded + 2.0 * h + where(is_gated_mlp, 2.0, 1.0) * f
    per_element = quantize_read_bytes_per_element + (1.0 + weight_gradient_matmuls) * quantized_copy_bytes_per_element
    return (seq_len / cp * microbatch * (forward + backward) * per_element).to("B")


@training_column
def quantize_time_per_microbatch_s(layers_per_gpu: UExpr, layer_quantize_bytes_per_microbatch: UExpr,
                                   memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr) -> UExpr:
    """The busiest GPU's GEMM-input casts for one microbatch: bytes / (HBM bandwidth x eta_memory), as the
    element-wise kernels (``training_traffic.elementwise_time_per_microbatch_s``)."""
    return (layers_per_gpu * layer_quantize_bytes_per_microbatch / (memory_bandwidth_bytes_per_s * eta_memory)).to("s")
