"""Attention and KV-cache patterns across layers (issue 13 item 2): sliding-window layers attend to,
and keep the K/V of, at most the last ``sliding_window_tokens`` keys; KV-sharing layers cache none.

The studies count attention per layer and multiply by the layers, so a pattern enters as the layer
mean: with a share f of window layers (window W), a query at context S attends
``(1 - f)·S + f·min(S, W)`` keys (``attended_tokens``), and a causal prompt of S tokens makes
``(1 - f)·S²/2 + f·(S·w - w²/2)``, w = min(S, W), query-key pairs per layer (``causal_pairs``:
query i attends min(i, W) keys, Beltagy et al. 2020, Longformer §3.1; Jiang et al. 2023, Mistral 7B §2).

KV as the serving frameworks allocate it: vLLM's hybrid KV cache manager reserves "slots only for the
most recent sliding_window_size tokens" for sliding-window layers and slots for all tokens for full
attention layers (https://docs.vllm.ai/en/latest/design/hybrid_kv_cache_manager/), its
SlidingWindowManager.remove_skipped_blocks freeing the blocks before token S - W + 1
(vllm/v1/core/single_type_kv_cache_manager.py); TensorRT-LLM keeps one pool per window size
(nvidia.github.io/TensorRT-LLM features/kvcache.html) and SGLang a separate SWA pool for hybrid models
(sgl-project/sglang#39310). The model follows vLLM's per-request rule. The documented alternative, a
cache that reserves the whole context for window layers too (vLLM with the hybrid allocator disabled:
FullAttentionSpec, "blocks are allocated for all tokens", vllm/v1/kv_cache_interface.py), is what the
columns' null gives. Not modelled: vLLM pads KV-cache groups to equal layer counts, and its static split
of one block pool between layer groups; SGLang's and TensorRT-LLM's static pool ratios.
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, minimum, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column


def attended_tokens(context: UExpr, window: UExpr, share: UExpr) -> UExpr:
    """Layer-mean keys a query at ``context`` attends to (or K/V a sequence keeps): global layers the
    whole context, the window layers min(context, W) (a null window: the whole context)."""
    return (1.0 - share) * context + share * minimum(context, window)


def causal_pairs(tokens: UExpr, window: UExpr, share: UExpr) -> UExpr:
    """Layer-mean causal (query, key) pairs of a ``tokens``-long prompt: S²/2 on global layers,
    sum_i min(i, W) = S·w - w²/2 (w = min(S, W)) on window layers (dimensionless pairs)."""
    s = tokens / TOKEN
    w = minimum(tokens, window) / TOKEN
    return (1.0 - share) * 0.5 * s * s + share * (s * w - 0.5 * w * w)


@column
def sliding_layer_share(n_layers: UExpr, sliding_window_tokens: UExpr, sliding_window_layers: UExpr) -> UExpr:
    """Share of layers with sliding-window attention: sliding_window_layers / n_layers, every layer when
    only the window is given (Mistral 7B v0.1), none without a window."""
    layers = sliding_window_layers.fill_null(n_layers)
    return where(sliding_window_tokens.is_null(), 0.0, layers / n_layers)


@serving_column
def window_layer_share(sliding_layer_share: UExpr, window_kv_cache: Plain) -> UExpr:
    """Share of layers whose window the serving framework applies (efficiency profile window_kv_cache):
    all the model's window layers, or none where the framework keeps and attends over the whole context,
    as TensorRT-LLM does unless the engine runs with max_attention_window (examples/llama/README.md:
    "Run Mistral 7B fp16 inference with sliding window/cache size 4096" passes
    --max_attention_window_size=4096; llm-api KvCacheConfig.max_attention_window defaults to None)."""
    return where(window_kv_cache, sliding_layer_share, 0.0)


@serving_column
def window_read_share(window_layer_share: UExpr, sliding_layer_share: UExpr, window_attention_model: Plain,
                      window_attention_models: Plain) -> UExpr:
    """Share of layers whose window bounds the keys attention reads and computes over: the cache's
    (``window_layer_share``), or all the model's window layers where the framework's model code passes its
    window to the kernel whatever the cache keeps (the model side's ``window_attention_model``, from the efficiency
    profiles' window_attention_models, under a framework whose profile states them). TensorRT-LLM's
    PyTorch GPT-OSS passes attention_window_size = sliding_window on the even layers
    (tensorrt_llm/_torch/models/modeling_gpt_oss.py @050b6cb9, AttentionBlock) while its KV cache keeps
    max_attention_window tokens (whole context unless set); its engine flow windows reads and cache alike
    through max_attention_window_size (registry_data/research/r-swread)."""
    named = window_attention_model.fill_null(False) & window_attention_models.is_not_null()
    return where(named, sliding_layer_share, window_layer_share)


@column
def kv_layer_share(n_layers: UExpr, kv_shared_layers: UExpr) -> UExpr:
    """Share of layers that cache their own K/V: 1 - kv_shared_layers / n_layers (cross-layer KV
    sharing, Brandon et al. 2024, arXiv 2405.12981 §2; the sharing layers in the model's local:global mix)."""
    return 1.0 - kv_shared_layers.fill_null(0.0) / n_layers


def held_tokens(context: UExpr, window: UExpr, sliding_layer_share: UExpr, kv_layer_share: UExpr) -> UExpr:
    """Layer-mean tokens of K/V a sequence of ``context`` tokens keeps (``attended_tokens`` over the
    layers that cache their own)."""
    return kv_layer_share * attended_tokens(context, window, sliding_layer_share)


def held_blocks(context: UExpr, window: UExpr, block: UExpr, sliding_layer_share: UExpr,
                kv_layer_share: UExpr) -> UExpr:
    """Layer-mean paged blocks of one sequence: ceil(S / B) on global layers; on window layers the same
    less the floor((S - W + 1) / B) blocks vLLM's SlidingWindowManager.remove_skipped_blocks has freed."""
    blocks = (context / block).ceil()
    skipped = (_nonnegative(context - window + TOKEN) / block).floor().fill_null(0.0)
    return kv_layer_share * (blocks - sliding_layer_share * skipped)


def _nonnegative(x: UExpr) -> UExpr:
    return x.clip(lower=0)
