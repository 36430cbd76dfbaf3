"""Per-pool throughput of a disaggregated deployment (issue 16 item 2): what a prefill-only and a
decode-only worker of the row's layout deliver per accelerator, the figures disaggregated serving
reports publish per pool (DeepSeek, "DeepSeek-V3/R1 Inference System Overview", open-infra-index
day 6, line 76: "~73.7k tokens/s input (including cache hits) during prefilling or ~14.8k tokens/s
output during decoding" per H800 node; LMSYS 2025-05-05, "Prefill Phase" and "Decode Phase").

A prefill worker runs prefill passes back to back: the row's batch of prompts per pass
(``ttft_s``, the whole batch's prefill; every attention group's prompts with EP), every prompt token
counted as input, cached ones included (as DeepSeek counts them). A decode worker only decodes:
the batch's tokens per decode step (``itl_s``) with no prefill between its steps, which is
``tokens_per_s`` (no speculation: its steps are plain decode steps).
"""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.registries import serving_column


@serving_column
def prefill_input_tokens_per_s_per_device(batch: UExpr, prompt_len: UExpr, ttft_s: UExpr,
                                          devices_per_replica: UExpr) -> UExpr:
    """Input tokens/s per accelerator of a prefill-only worker: batch x prompt / the batch's prefill
    pass / the replica's devices."""
    return (batch * prompt_len / ttft_s / devices_per_replica).to("tok/s")


@serving_column
def decode_output_tokens_per_s_per_device(tokens_per_s: UExpr, devices_per_replica: UExpr) -> UExpr:
    """Output tokens/s per accelerator of a decode-only worker: batch / ITL / the replica's devices."""
    return tokens_per_s / devices_per_replica
