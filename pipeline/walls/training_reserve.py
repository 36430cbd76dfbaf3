"""Wall 2 for training: the memory a training process holds besides its tensors, from cited parts.

reserve = CUDA context + NCCL communicator buffers + allocator fragmentation, where

- the CUDA context (driver state and the loaded kernels, outside PyTorch's allocator): 555 MiB measured on a
  188-SM Blackwell (RTX PRO 6000) by a cudaMemGetInfo delta, "the cost scales with SM count"
  (github.com/ggml-org/llama.cpp/pull/23604, 2026-05-24); PyTorch's maintainer gives "~300MB" under CUDA 11.7+
  lazy loading, > 1000 MB before (github.com/pytorch/pytorch/issues/107667, 2023-08-28). The larger is taken.
- NCCL's buffers (also outside PyTorch's allocator, fairscale/pull/678): 688 MB a process group of more than
  2 GPUs after one all-reduce, 4 A100s over NVLink (github.com/NVIDIA/nccl/issues/964, 2023-08-16); "more
  communicators = more memory used ... Ring uses a limited amount of memory as it only has 2 connections regardless
  of the scale" (NCCL's maintainer, github.com/NVIDIA/nccl/issues/986). One communicator per parallel dimension of
  size > 1 (tp, pp, cp, dp); an expert-parallel all-to-all connects every pair of ranks: 1.06 -> 4.34 GB after
  the first all_to_all_single on 8 H100s, 32 channels a pair (github.com/NVIDIA/nccl/issues/1685, 2025-04-16).
  NVLink SHARP buffers are left out: Megatron-Bridge's and NeMo's launchers set NCCL_NVLS_ENABLE=0 "to save memory".
- fragmentation: PyTorch's caching allocator reserves more than its live tensors. GMLake (Guo et al., ASPLOS'24;
  intelligent-machine-learning/glake GMLake/README.md and docs/figures at 0274a9c5) measures utilization = peak
  active / peak reserved, fragmentation = 1 - utilization, on 4 A100-80GB under DeepSpeed ZeRO-3: for GPT-NeoX-20B,
  its largest model, PyTorch's caching allocator holds 0.96 without memory-saving strategies and with recomputation
  (stra-neox-20b.png), 0.79 with LoRA and recomputation; GMLake's virtual-memory stitching (cuMemMap, the mechanism of
  PyTorch's expandable_segments, pytorch/pytorch#96995) 0.96 and 0.95. So the tensors are held at 1 / (1 - f) with
  f = 4 % for either allocator, and under ZeRO-3 with LoRA (the irregular pattern GMLake measured) f = 21 % with the
  caching allocator, 5 % with expandable segments. Smaller models fragment more (OPT-1.3B with recomputation: 0.66),
  and no measurement of Megatron-style training (no ZeRO-3) was found; the 20B figures are taken for large models.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, where
from pipeline.walls.registries import training_column

MIB = 2**20
CUDA_CONTEXT_BYTES = 555 * MIB  # llama.cpp#23604: RTX PRO 6000 Blackwell, cudaMemGetInfo with vs without a context
NCCL_COMMUNICATOR_BYTES = 688e6  # nccl#964: a process group of > 2 A100s (NVLink) after a 4 MB all-reduce
NCCL_ALL_TO_ALL_BYTES = 4.34e9 - 1.06e9  # nccl#1685: 8 H100s, before and after the first all_to_all_single
# 1 - peak active / peak reserved, GMLake's GPT-NeoX-20B on 4 A100-80GB (docs/figures/stra-neox-20b.png)
FRAGMENTATION = 1.0 - 0.96  # either allocator, no LoRA (N and R: caching 0.96, GMLake 0.96)
FRAGMENTATION_IRREGULAR = {"caching": 1.0 - 0.79, "expandable_segments": 1.0 - 0.95}  # ZeRO-3 with LoRA (LR)
ALLOCATORS = tuple(FRAGMENTATION_IRREGULAR)


@training_column
def runtime_reserve_bytes(tp: UExpr, pp: UExpr, cp: UExpr, dp: UExpr, ep: UExpr) -> UExpr:
    """The CUDA context and one NCCL communicator per parallel dimension of size > 1, and the all-to-all's
    buffers under expert parallelism (module docstring)."""
    groups = where(tp > 1, 1.0, 0.0) + where(pp > 1, 1.0, 0.0) + where(cp > 1, 1.0, 0.0) + where(dp > 1, 1.0, 0.0)
    return lit(CUDA_CONTEXT_BYTES, "B") + groups * lit(NCCL_COMMUNICATOR_BYTES, "B") \
        + where(ep > 1, lit(NCCL_ALL_TO_ALL_BYTES, "B"), lit(0.0, "B"))


@training_column
def allocator_fragmentation(expandable_segments: Plain, zero_stage: UExpr, lora_rank: UExpr) -> UExpr:
    """The share of the allocator's reserved memory its live tensors do not use (GMLake's 1 - peak active /
    peak reserved): 4 %, and under ZeRO-3 with LoRA 21 % for the caching allocator, 5 % with
    ``PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`` (``training.allocator``)."""
    irregular = where(expandable_segments, FRAGMENTATION_IRREGULAR["expandable_segments"],
                      FRAGMENTATION_IRREGULAR["caching"])
    return where((zero_stage >= 3) & (lora_rank > 0), irregular, lit(FRAGMENTATION, ""))
