"""The batch TensorRT-LLM's offline benchmark (``trtllm-bench throughput``) runs, from its KV cache: a rule of the
benchmark, not a choice of the best throughput.

trtllm-bench builds the engine with max_batch_size from its own KV estimate, capped at 4096
(tensorrt_llm/bench/build/tuning.py, ``finetune_setting``: "raw_bs = min(kv_cache_max_requests, 4096) / pp_size",
rounded up), and runs the executor with batch-size tuning on (tensorrt_llm/bench/dataclasses/configuration.py,
``ExecutorSettingsConfig.dynamic_max_batch_size = True``, ``kv_cache_percent`` 0.90). The executor's
``DynamicBatchTuner::getRuntimeBatchSize(maxCapacityBatchSize)`` (cpp/tensorrt_llm/executor/dynamicBatchTuner.cpp)
then runs, of the sequences whose average input + output fit the KV cache (``KVCacheManager::
getMaxCapacityBatchSize``: primary blocks / blocks per sequence, the model's ``max_batch_paged``), the batch of the
first ``DynamicBatchConfig::kDefaultBatchSizeTable`` row whose limit is above that capacity ({144: 128, 336: 256,
672: 512, 832: 768, 1280: 1024, 1664: 1536}); above 1664 the capacity rounded down to 512
(``kBatchSizeFallbackGranularity``) when within 128 (``kBatchSizeFallbackThreshold``) of it, else the capacity
itself. The engine's max_batch_size caps it.
"""

from __future__ import annotations

import polars as pl

# DynamicBatchConfig::kDefaultBatchSizeTable (cpp/tensorrt_llm/executor/dynamicBatchConfig.cpp): capacity limit -> batch
BATCH_SIZE_TABLE = ((144, 128), (336, 256), (672, 512), (832, 768), (1280, 1024), (1664, 1536))
FALLBACK_GRANULARITY = 512  # DynamicBatchTuner::kBatchSizeFallbackGranularity
FALLBACK_THRESHOLD = 128  # DynamicBatchTuner::kBatchSizeFallbackThreshold
ENGINE_MAX_BATCH = 4096  # finetune_setting's cap on the engine's max_batch_size
FRAMEWORK = "TensorRT-LLM"


def runtime_batch(capacity: pl.Expr) -> pl.Expr:
    """The batch the tuner runs at a KV capacity of ``capacity`` sequences (``getRuntimeBatchSize``), at most the
    engine's 4096; null where the capacity is."""
    cap = capacity.floor()
    threshold = (cap / FALLBACK_GRANULARITY).floor() * FALLBACK_GRANULARITY
    batch = pl.when(cap < threshold + FALLBACK_THRESHOLD).then(threshold).otherwise(cap)
    for limit, size in reversed(BATCH_SIZE_TABLE):
        batch = pl.when(cap < limit).then(pl.lit(float(size))).otherwise(batch)
    return pl.min_horizontal(batch, pl.lit(float(ENGINE_MAX_BATCH)))


def runs_trtllm_bench(framework: pl.Expr, scenario: pl.Expr, batch: pl.Expr, request_rate: pl.Expr,
                      concurrency: pl.Expr, requests: pl.Expr) -> pl.Expr:
    """Whether a throughput row is a trtllm-bench offline run whose batch the tuner sets: TensorRT-LLM, offline, no
    stated batch, rate or concurrency, a stated request count (the perf-overview tables' $num_requests)."""
    return ((framework == FRAMEWORK) & (scenario == "offline") & batch.is_null() & request_rate.is_null()
            & concurrency.is_null() & requests.is_not_null())
