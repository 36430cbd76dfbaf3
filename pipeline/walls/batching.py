"""Wall 5 (batching): the concurrent sequences whose KV cache fits beside the weights,
reserved statically for the whole context or paged (PagedAttention, Kwon et al. 2023)."""

from __future__ import annotations

from pipeline.units import UExpr, maximum, minimum, where
from pipeline.walls.attention_pattern import held_blocks, held_tokens
from pipeline.walls.registries import serving_column


def _free_for_kv(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr) -> UExpr:
    return memory_headroom_bytes + kv_cache_bytes_per_device


@serving_column
def max_batch_static(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                     kv_bytes_per_static_sequence: UExpr, attention_dp: UExpr) -> UExpr:
    """Sequences that fit when each reserves the model's whole context up front (a window layer
    its window, as TensorRT-LLM's per-window pools do), in each attention group of the replica
    (one without expert parallelism: ``expert_parallel``)."""
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / kv_bytes_per_static_sequence
    return n.floor().clip(lower=0) * attention_dp


# A sequence's reserved bytes read no batch (the static one no length either): named columns, computed once per
# hardware row x distinct model rows of what they read and gathered (``serving_precomputed``), not per row.
@serving_column
def kv_bytes_per_static_sequence(kv_bytes_per_token_per_device: UExpr, max_context_tokens: UExpr,
                                 sliding_window_tokens: UExpr, window_layer_share: UExpr,
                                 kv_layer_share: UExpr) -> UExpr:
    """KV bytes a sequence reserves for the model's whole context (``max_batch_static``)."""
    held = held_tokens(max_context_tokens, sliding_window_tokens, window_layer_share, kv_layer_share)
    return kv_bytes_per_token_per_device * held


@serving_column
def kv_bytes_per_paged_sequence(kv_bytes_per_token_per_device: UExpr, context_tokens: UExpr, kv_block_tokens: UExpr,
                                sliding_window_tokens: UExpr, window_layer_share: UExpr,
                                kv_layer_share: UExpr) -> UExpr:
    """KV bytes of the blocks a sequence holds at its context (``max_batch_paged``)."""
    blocks = held_blocks(context_tokens, sliding_window_tokens, kv_block_tokens, window_layer_share, kv_layer_share)
    return kv_bytes_per_token_per_device * blocks * kv_block_tokens


@serving_column
def max_batch_paged(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                    kv_bytes_per_paged_sequence: UExpr, attention_dp: UExpr) -> UExpr:
    """Sequences that fit with a paged cache: each holds ceil(context / block) blocks per global
    layer and, per sliding-window layer, those not yet freed behind the window (vLLM's
    SlidingWindowManager; ``attention_pattern.held_blocks``), in each attention group."""
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / kv_bytes_per_paged_sequence
    return n.floor().clip(lower=0) * attention_dp


@serving_column
def max_context_fit_tokens(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                           attention_group_sequences: UExpr,
                           kv_bytes_per_token_per_device: UExpr, max_context_tokens: UExpr,
                           sliding_window_tokens: UExpr, window_layer_share: UExpr, kv_layer_share: UExpr) -> UExpr:
    """Largest context each of the batch's sequences can reach with the KV memory of the layout
    (free = headroom + the batch's cache), at most the model's max_context_tokens. Each sequence
    may keep T = free / (batch x bytes per token x kv_layer_share) layer-mean tokens; solving
    (1 - f)·S + f·min(S, W) = T: S = T below the window, S = (T - f·W) / (1 - f) beyond it, and
    any S when every layer is windowed (f = 1) and T >= W."""
    budget = (_free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device)
              / (attention_group_sequences * kv_bytes_per_token_per_device * kv_layer_share)).clip(lower=0)
    share = window_layer_share
    window = sliding_window_tokens.fill_null(max_context_tokens)
    beyond = where(share < 1.0, (budget - share * window) / maximum(1.0 - share, 1e-12), max_context_tokens)
    fit = where(budget < window, budget, beyond)
    return minimum(fit, max_context_tokens).floor()


def token_budget_sequences(prefill_chunk_tokens, attention_dp):
    """Sequences one iteration can decode under the engine's per-iteration token budget M (``prefill_chunk_tokens``:
    TensorRT-LLM's max_num_tokens, vLLM's max_num_batched_tokens), M per attention group, null without a budget
    (plain expressions of the library in use). The budget counts every sequence of the iteration, a decoding one at
    one token (no beam, no draft): TensorRT-LLM's MicroBatchScheduler::operator() walks the active requests and, for
    one in generation, adds reqNumTokens = beam width + draft tokens to batchNumTokens and stops scheduling once that
    would pass maxNumTokensRuntime (NVIDIA/TensorRT-LLM cpp/tensorrt_llm/batch_manager/microBatchScheduler.cpp
    @0a949d31, the ``else // (llmReq->isGenerationInProgressState())`` branch; the PyTorch executor's
    PyMicroBatchScheduler.schedule alike, tensorrt_llm/_torch/pyexecutor/scheduler.py @034fffb0, "Check Global
    Token Budget"); vLLM's V1 scheduler spends its token_budget on the running requests first. So at most M
    sequences decode at once, whatever max_batch_size allows (registry_data/research/r-satur/README.md)."""
    return (prefill_chunk_tokens * attention_dp).floor()
