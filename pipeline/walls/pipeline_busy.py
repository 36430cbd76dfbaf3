"""Wall 4's throughput of a batch: the replica's busy time per wave of ``batch`` requests, not one request's latency.

An offline run keeps every pipeline stage busy: TensorRT-LLM's in-flight batcher launches one micro-batch per
``forwardAsync`` call and moves on to the next (``mMicroBatchId = getNextMicroBatchId(mMicroBatchId)``, pp
micro-batches under PP, ``mNumMicroBatches = getPipelineParallelism()``; cpp/tensorrt_llm/batch_manager/
trtGptModelInflightBatching.cpp), a queued prompt joining whichever micro-batch launches next, so the pipeline is
filled once per run, not once per wave. GPipe's fill of a batch's prefill (m + pp - 1 stage times, ``serving.ttft_s``;
Huang et al. 2019, §2.2) is the latency of that batch's first token; the throughput pays each stage's busy time,
m stage times (Narayanan et al. 2021, SC, §2.2: the bubble is the idle (pp - 1) slots, absent when a next batch's
micro-batches fill them). Decode already works so (``serving.decode_sequences``: a round is each stage's pp
micro-batches of ceil(b / pp), one pass of one micro-batch through all L layers).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, only_where, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column


@serving_column
def prefill_busy_s(is_feasible: Plain, pp: UExpr, ttft_s: UExpr, prefill_microbatches: UExpr,
                   prefill_microbatch_stage_time_s: UExpr) -> UExpr:
    """The busiest stage's time on a wave's prefill: m micro-batches x one stage time with PP (the fill's pp - 1
    idle slots go to the next wave's micro-batches), the prefill itself (``ttft_s``) without PP."""
    busy = prefill_microbatches * prefill_microbatch_stage_time_s
    return only_where(is_feasible, where(pp > 1, busy, ttft_s))


@serving_column
def wave_busy_s(prefill_busy_s: UExpr, itl_s: UExpr, generated_tokens: UExpr, attention_dp_stall_s: UExpr) -> UExpr:
    """A wave's busy time: its prefill, then the other generated tokens one decode round apart (``e2e_latency_s``'s
    rounds; equal to it without PP)."""
    return prefill_busy_s + (generated_tokens / TOKEN - 1.0) * (itl_s + attention_dp_stall_s)


@serving_column
def batch_tokens_per_s(batch: UExpr, generated_tokens: UExpr, wave_busy_s: UExpr) -> UExpr:
    """Throughput of the whole batch, prefill included: batch x generated / the wave's busy time (what an offline
    benchmark that times whole requests reports; batch x generated / e2e latency without PP)."""
    return (batch * generated_tokens / wave_busy_s).to("tok/s")
