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

A checkpoint whose quantization trtllm-bench does not tune (an MXFP4 one: GPT-OSS) runs otherwise. Its heuristic sizes
only ``TUNED_QUANTS`` (NVFP4, FP8, FP8_BLOCK_SCALES, unquantized; tensorrt_llm/bench/build/build.py @000a01de and
tensorrt_llm/bench/tuning/settings.py @aaedbf92, ``get_benchmark_engine_settings``); any other quant_algo (MXFP4's
W4A16_MXFP4 / W4A8_MXFP4_MXFP8) gets the defaults, max_batch_size 2048 and max_num_tokens 8192 (``BuildConfig``,
tensorrt_llm/builder.py @008b2b8d; ``TorchLlmArgs`` in the newer tree). GPT-OSS runs only on the PyTorch backend
(tensorrt_llm/_torch/models/modeling_gpt_oss.py; tensorrt_llm/models has no TensorRT-engine GPT-OSS), whose
scheduler is a capacity scheduler (the KV cache) and a micro-batch scheduler capped at max_batch_size
(tensorrt_llm/_torch/pyexecutor/_util.py @d8ae02ca: ``BindCapacityScheduler``, ``BindMicroBatchScheduler(
max_batch_size, max_num_tokens, ...)``): no batch-size tuner, so it runs what its KV cache admits, up to 2048 a rank
(``untuned_batches``, ``runs_untuned``; registry_data/research/r-gptsat).
"""

from __future__ import annotations

import polars as pl

# DynamicBatchConfig::kDefaultBatchSizeTable (cpp/tensorrt_llm/executor/dynamicBatchConfig.cpp): capacity limit -> batch
BATCH_SIZE_TABLE = ((144, 128), (336, 256), (672, 512), (832, 768), (1280, 1024), (1664, 1536))
FALLBACK_GRANULARITY = 512  # DynamicBatchTuner::kBatchSizeFallbackGranularity
FALLBACK_THRESHOLD = 128  # DynamicBatchTuner::kBatchSizeFallbackThreshold
ENGINE_MAX_BATCH = 4096  # finetune_setting's cap on the engine's max_batch_size
FRAMEWORK = "TensorRT-LLM"
DEFAULT_MAX_BATCH = 2048  # BuildConfig.max_batch_size: an untuned checkpoint's max_batch_size, per attention-DP rank
UNTUNED_CHECKPOINT = "experts"  # models.quantized_layers of an MXFP4 checkpoint (4-bit experts): not in TUNED_QUANTS
# (first, last, step) of the batches an untuned run's grid holds: the run takes its KV capacity, which the grid's
# largest batch below it stands for, at most 6 % (4 / 68) short of it
UNTUNED_GRID = ((1, 64, 1), (68, 256, 4), (272, 1024, 16), (1056, DEFAULT_MAX_BATCH, 32))


def runtime_batch(capacity: pl.Expr) -> pl.Expr:
    """The batch the tuner runs at a KV capacity of ``capacity`` sequences (``getRuntimeBatchSize``), at most the
    engine's 4096; null where the capacity is."""
    cap = capacity.floor()
    threshold = (cap / FALLBACK_GRANULARITY).floor() * FALLBACK_GRANULARITY
    batch = pl.when(cap < threshold + FALLBACK_THRESHOLD).then(threshold).otherwise(cap)
    for limit, size in reversed(BATCH_SIZE_TABLE):
        batch = pl.when(cap < limit).then(pl.lit(float(size))).otherwise(batch)
    return pl.min_horizontal(batch, pl.lit(float(ENGINE_MAX_BATCH)))


def untuned_models(models: pl.DataFrame | None) -> list[str]:
    """The models whose checkpoint trtllm-bench does not tune: quantized_layers ``UNTUNED_CHECKPOINT``."""
    if models is None or "quantized_layers" not in models.columns:
        return []
    return models.filter(pl.col("quantized_layers") == UNTUNED_CHECKPOINT)["name"].to_list()


def untuned_batches() -> list[int]:
    """The batches an untuned checkpoint's trtllm-bench run may have run at, per attention-DP rank: every
    ``UNTUNED_GRID`` step up to ``DEFAULT_MAX_BATCH``."""
    return [b for first, last, step in UNTUNED_GRID for b in range(first, last + 1, step)]


def runs_untuned(framework: pl.Expr, scenario: pl.Expr, batch: pl.Expr, request_rate: pl.Expr,
                 concurrency: pl.Expr, requests: pl.Expr, model: pl.Expr, untuned_models: list[str]) -> pl.Expr:
    """Whether a throughput row is a trtllm-bench offline run (``runs_trtllm_bench``) of a checkpoint trtllm-bench
    does not tune (``untuned_models``: quantized_layers ``UNTUNED_CHECKPOINT``): it runs its KV capacity, at most
    ``DEFAULT_MAX_BATCH`` a rank. An MLPerf harness's Offline run states no request count and sets its own batch."""
    return (runs_trtllm_bench(framework, scenario, batch, request_rate, concurrency, requests)
            & model.is_in(untuned_models))


def runs_trtllm_bench(framework: pl.Expr, scenario: pl.Expr, batch: pl.Expr, request_rate: pl.Expr,
                      concurrency: pl.Expr, requests: pl.Expr) -> pl.Expr:
    """Whether a throughput row is a trtllm-bench offline run whose batch the tuner sets: TensorRT-LLM, offline, no
    stated batch, rate or concurrency, a stated request count (the perf-overview tables' $num_requests)."""
    return ((framework == FRAMEWORK) & (scenario == "offline") & batch.is_null() & request_rate.is_null()
            & concurrency.is_null() & requests.is_not_null())
