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

Under tensor parallelism the LM head is column-parallel and its output gathered (TensorRT-LLM's ``ColumnLinear(...,
gather_output=True)`` above; vLLM's ``LogitsProcessor._gather_logits``, a gather to the first rank; SGLang an
all-gather): a ring all-gather of the pass's 16-bit logits, (tp - 1) α + (tp - 1) / tp x S V 2 B / β
(``communication.ring_all_gather_s``, nccl-tests' size the gathered output) over the scale-up link at the catalog's
latency and bandwidth x eta_link (the all-reduce fits are not used: they are fitted to all-reduces).
"""

from __future__ import annotations

from pipeline.units import UExpr, lit, where
from pipeline.walls.communication import ring_all_gather_s
from pipeline.walls.kernel_calls import memory_kernels_time_s
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import define_serving
from pipeline.walls.serving import PHASES

# per vocabulary entry: the 16-bit logit read (2 B), its float32 written (4 B) and read (4 B)
LOGIT_BYTES = lit(10.0, "B/tok")
SAMPLING_KERNELS = 2.0  # the float32 cast and the sampling kernel (TensorRT-LLM's greedy top-1; vLLM's argmax)


def sampling_bytes(logit_tokens: UExpr, vocab_size: UExpr) -> UExpr:
    """Bytes the cast and the sampler move on one device in a pass: 10 B per vocabulary entry of each sequence
    sampled (``{p}_logit_tokens``), the whole vocabulary (the logits are gathered over TP first)."""
    return logit_tokens * vocab_size * LOGIT_BYTES


def sampling_time_s(nbytes: UExpr, bandwidth: UExpr, eta_memory: UExpr, latency: UExpr) -> UExpr:
    """The cast and sampling kernels of a pass: 2 α + bytes / (bandwidth x eta_memory)."""
    return memory_kernels_time_s(nbytes, bandwidth, eta_memory, SAMPLING_KERNELS, latency)


def logits_gather_time_s(tp: UExpr, logit_tokens: UExpr, vocab_size: UExpr, hidden_state_bytes: UExpr,
                         latency: UExpr, bandwidth: UExpr, eta_link: UExpr) -> UExpr:
    """The TP all-gather of a pass's logits: ring all-gather of S x V 16-bit values; 0 without TP."""
    message = logit_tokens * vocab_size * ELEM_PER_TOKEN * hidden_state_bytes
    return where(tp > 1, ring_all_gather_s(tp, message, latency, bandwidth * eta_link), 0)


def sampling_bandwidth_time_s(nbytes: UExpr, bandwidth: UExpr, eta_memory: UExpr) -> UExpr:
    """The part of the sampling kernels' time that scales with 1 / bandwidth and with the sequences (without their
    α): wall 21's memory-bandwidth and batch elasticities (``serving_sensitivity``)."""
    return (nbytes / (bandwidth * eta_memory)).to("s")


define_serving("decode_sampling_bandwidth_time_s", ["decode_sampling_bytes", "memory_bandwidth_bytes_per_s",
                                                    "eta_memory"], sampling_bandwidth_time_s)

for _p in PHASES:
    define_serving(f"{_p}_sampling_bytes", [f"{_p}_logit_tokens", "vocab_size"], sampling_bytes)
    define_serving(f"{_p}_logits_gather_time_s", ["tp", f"{_p}_logit_tokens", "vocab_size",
                                                  "hidden_state_bytes_per_element", "scaleup_link_latency_s",
                                                  "scaleup_link_bandwidth_bytes_per_s", "eta_link"],
                   logits_gather_time_s)
    define_serving(f"{_p}_sampling_time_s", [f"{_p}_sampling_bytes", "memory_bandwidth_bytes_per_s", "eta_memory",
                                             "memory_latency_s"], sampling_time_s)
