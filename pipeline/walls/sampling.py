"""The sampling of a serving pass (issue 12): after the LM head, every iteration turns each sequence's logits
into its next token, kernels over the whole vocabulary that run after the LM head's GEMM and before the next pass.

- The logits are float32: TensorRT-LLM marks the LM head's output at ``logits_dtype`` "float32" by default
  (tensorrt_llm/models/llama/model.py, ``LLaMAForCausalLM(logits_dtype="float32")``, ``lm_logits.mark_output(
  'logits', self.logits_dtype)``, after the 16-bit GEMM and its TP gather, ``ColumnLinear(..., gather_output=True)``);
  vLLM's sampler casts them, ``logits = logits.to(torch.float)`` (vllm/model_executor/layers/sampler.py), before
  its softmax / argmax.
- So per sequence and iteration one device reads the 16-bit logits of the whole vocabulary V (gathered over TP)
  and writes them at 4 B (the cast), and the sampler reads them at 4 B (greedy: an arg-max over every logit, the
  least any sampler reads): 10 B x V, at least 2 kernels (cast, sampling), memory-bound: Hockney's α–β form
  (``kernel_calls.memory_kernels_time_s``), as the MoE routing kernels.
The LM head operator (``operators``) counts its GEMM's 16-bit output on the device's V / tp columns only.
"""

from __future__ import annotations

from pipeline.units import UExpr, lit
from pipeline.walls.kernel_calls import memory_kernels_time_s
from pipeline.walls.registries import define_serving
from pipeline.walls.serving import PHASES

LOGIT_BYTES = lit(10.0, "B/tok")  # per vocabulary entry: the 16-bit logit read (2 B), its float32 written (4) and read (4)
SAMPLING_KERNELS = 2.0  # the float32 cast and the sampling kernel (TensorRT-LLM's greedy top-1; vLLM's argmax)


def sampling_bytes(logit_tokens: UExpr, vocab_size: UExpr) -> UExpr:
    """Bytes the cast and the sampler move on one device in a pass: 10 B per vocabulary entry of each sequence
    sampled (``{p}_logit_tokens``), the whole vocabulary (the logits are gathered over TP first)."""
    return logit_tokens * vocab_size * LOGIT_BYTES


def sampling_time_s(nbytes: UExpr, bandwidth: UExpr, eta_memory: UExpr, latency: UExpr) -> UExpr:
    """The cast and sampling kernels of a pass: 2 α + bytes / (bandwidth x eta_memory)."""
    return memory_kernels_time_s(nbytes, bandwidth, eta_memory, SAMPLING_KERNELS, latency)


def sampling_bandwidth_time_s(nbytes: UExpr, bandwidth: UExpr, eta_memory: UExpr) -> UExpr:
    """The part of the sampling kernels' time that scales with 1 / bandwidth and with the sequences (without their
    α): wall 21's memory-bandwidth and batch elasticities (``serving_sensitivity``)."""
    return (nbytes / (bandwidth * eta_memory)).to("s")


define_serving("decode_sampling_bandwidth_time_s", ["decode_sampling_bytes", "memory_bandwidth_bytes_per_s",
                                                    "eta_memory"], sampling_bandwidth_time_s)

for _p in PHASES:
    define_serving(f"{_p}_sampling_bytes", [f"{_p}_logit_tokens", "vocab_size"], sampling_bytes)
    define_serving(f"{_p}_sampling_time_s", [f"{_p}_sampling_bytes", "memory_bandwidth_bytes_per_s", "eta_memory",
                                             "memory_latency_s"], sampling_time_s)
