"""Wall 1 for training, its memory-bound part: the element-wise kernels of a layer (norms, residual
adds with their dropout, the MLP's activation and, without FlashAttention, the softmax and dropout
of the attention scores). They do next to no arithmetic, so their time is the bytes they read and
write over the HBM bandwidth, not FLOPs over the peak (the roofline, Williams et al. 2009; the
GEMMs' own operand traffic is in their measured kernel efficiency, ``pipeline.walls.gemm``).

The kernels are Megatron-LM's (Narayanan et al. 2021, SC21, §4.2: fused bias+GeLU, fused
bias+dropout+add, fused scale+mask+softmax; fused LayerNorm) over the tensors Korthikanti et al.
2022 (§4.1, Table 2) list for one layer, in 16-bit elements (``activation_bytes_per_element``) and
1-byte dropout masks. Per token of one layer, h = d_model, f = the MLP's intermediate width,
a = heads, s = the keys each query sees (m = 1 with dropout, else 0):

- forward: two norms read and write h (4h); two residual adds read two h and write one (6h),
  each writing an h mask under dropout; the activation reads f and writes f (gated: reads the
  gate and up projections, 3f); without FlashAttention the softmax reads and writes the a·s
  scores (2as) and their dropout reads and writes them (2as) and writes an a·s mask;
- backward: each norm reads x and dy and writes dx (6h); under dropout each add's branch reads
  dy and the mask and writes dx (4h, the residual's gradient is dy itself); the activation reads
  its input(s) and dy and writes the input gradient(s) (3f, gated 5f); the softmax reads y and
  dy and writes dx (3as) and the dropout reads dy and the mask and writes dx (2as);
- recomputation repeats the forward (full) or the scores' softmax and dropout (selective,
  Korthikanti et al. §4.3).

Tensor parallelism splits the f and a·s terms over tp; the h terms only under sequence
parallelism (Korthikanti et al. §4.2.2; without it every TP rank runs the norms and adds whole).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, where
from pipeline.walls.quantities import ELEM_PER_TOKEN, TOKEN
from pipeline.walls.registries import training_column

MASK_BYTES = lit(1.0, "B/elem")  # a dropout mask: one byte per element (Korthikanti et al. 2022, §4.1)


@training_column
def layer_elementwise_bytes_per_microbatch(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr,
                                           n_heads: UExpr, mlp_width_per_device: UExpr, is_gated_mlp: Plain,
                                           tp: UExpr, recompute: Plain, sequence_parallel: Plain,
                                           flash_attention: Plain, dropout: Plain,
                                           activation_bytes_per_element: UExpr) -> UExpr:
    """Bytes the element-wise kernels of one layer move on the busiest GPU for one microbatch,
    forward, backward and recomputation (the module's count)."""
    m = where(dropout, 1.0, 0.0)
    gated = where(is_gated_mlp, 1.0, 0.0)
    no_flash = where(flash_attention, 0.0, 1.0)
    h = d_model * where(sequence_parallel, 1.0 / tp, 1.0) * ELEM_PER_TOKEN  # elements per token on this GPU
    f = mlp_width_per_device  # already per tp rank
    a_s = no_flash * n_heads * (seq_len / TOKEN) / tp * ELEM_PER_TOKEN  # score elements (keys: the whole sequence)
    size = activation_bytes_per_element
    fwd_scores = (2.0 + 2.0 * m) * a_s * size + m * a_s * MASK_BYTES
    forward = (10.0 * h + (2.0 + gated) * f) * size + 2.0 * m * h * MASK_BYTES + fwd_scores
    backward = (((6.0 + 4.0 * m) * h + (3.0 + 2.0 * gated) * f + (3.0 + 2.0 * m) * a_s) * size
                + (2.0 * m * h + m * a_s) * MASK_BYTES)
    recomputed = where(recompute == "full", forward, where(recompute == "selective", fwd_scores, 0.0))
    return (seq_len / cp * microbatch * (forward + backward + recomputed)).to("B")


@training_column
def gradient_accumulation_bytes_per_microbatch(gradient_accumulation_fusion: Plain, num_microbatches: UExpr,
                                               trainable_params_per_gpu: UExpr,
                                               gradient_bytes_per_param: UExpr) -> UExpr:
    """The gradient accumulation's own kernel, per microbatch on average: without fusion every
    microbatch but the first adds its weight gradients to the accumulated ones, reading both and
    writing the sum (3 x the gradient bytes of the GPU's trained weights; PyTorch's AccumulateGrad
    does ``variable.grad += new_grad``, torch/csrc/autograd/functions/accumulate_grad.h). Megatron-LM
    fuses it into the weight-gradient GEMM (``gradient_accumulation_fusion``: NVIDIA/Megatron-LM
    commit 83b1e42, 2022-02-13, fp32 accumulation only; 07916bf, 2022-09-27, fp16 too); before
    that, and in the April 2021 release of Narayanan et al. (commit 50a4b5f: fp16 runs accumulate
    in .grad unless --accumulate-allreduce-grads-in-fp32), the add ran apart. 0 with fusion."""
    adds = (num_microbatches - 1.0).clip(lower=0.0) / num_microbatches
    unfused = where(gradient_accumulation_fusion, 0.0, 1.0)
    return (unfused * adds * 3.0 * trainable_params_per_gpu * gradient_bytes_per_param).to("B")


@training_column
def elementwise_time_per_microbatch_s(layers_per_gpu: UExpr, layer_elementwise_bytes_per_microbatch: UExpr,
                                      gradient_accumulation_bytes_per_microbatch: UExpr,
                                      memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr) -> UExpr:
    """The busiest GPU's element-wise kernels for one microbatch, the layers' and the unfused gradient
    accumulation's: bytes / (HBM bandwidth x eta_memory), eta_memory the measured streaming fraction
    (``pipeline.studies.kernels.measured_memory_fraction``)."""
    return ((layers_per_gpu * layer_elementwise_bytes_per_microbatch + gradient_accumulation_bytes_per_microbatch)
            / (memory_bandwidth_bytes_per_s * eta_memory)).to("s")
