"""Wall 7 in a closed loop with more users than a replica serves at once (``pipeline.walls.closed_loop``).

A replica runs at most ``load_batch_cap`` sequences (its KV cache, or the framework's batch cap); a request it
cannot admit waits in the server's queue (TensorRT-LLM's capacity scheduler admits a request only when its KV
blocks fit, https://nvidia.github.io/TensorRT-LLM/torch/scheduler.html; vLLM's scheduler likewise, Kwon et al.
2023, §4.2). Where the loop's users would cycle faster than the replica's capacity mu (the request rate that
``closed_loop_rate`` solves with every user in service is at least mu), the replica completes mu requests/s and the
users queue: the interactive response-time law R = c / X (Lazowska et al. 1984, Quantitative System Performance,
§3.5, think time 0) at X = mu gives a request's whole time in the system, c / mu, and its first token comes the
decode of the rest of its answer, (G - 1) TPOT, before its end. A benchmark at a fixed concurrency shows it as a
throughput that stops growing with the users while TTFT grows by 1 / mu per user (NVIDIA NIM 1.8 Llama 3.3 70B on
2 x H100, 5,000 / 500 tokens: 917-921 tok/s from 100 to 250 users, TTFT 8.0, 34.8, 61.7, 88.6 s, i.e. 0.54 s per
user = 500 / 920 tok/s; https://docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column


@serving_column
def closed_loop_saturated(closed_loop_users_per_replica: UExpr, utilization: UExpr) -> Plain:
    """Whether a closed loop's users outrun the replica: the rate they would cycle at with every one in service
    is at least the capacity (utilization >= 1); false in an open loop, where such a rate is unstable instead."""
    return closed_loop_users_per_replica.is_not_null() & (utilization >= 1.0)


@serving_column
def closed_loop_queued_ttft_s(closed_loop_users_per_replica: UExpr, capacity_requests_per_s: UExpr,
                              generated_tokens: UExpr, tpot_under_load_s: UExpr) -> UExpr:
    """Mean TTFT of a saturated closed loop: R = c / mu (the response-time law at the capacity) less the decode of
    the answer after its first token, (G - 1) TPOT."""
    decode = ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=0) * tpot_under_load_s
    return (closed_loop_users_per_replica / capacity_requests_per_s - decode).to("s")
