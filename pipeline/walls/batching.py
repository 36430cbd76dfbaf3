"""Wall 5 (batching): the concurrent sequences whose KV cache fits beside the weights,
reserved statically for the whole context or paged (PagedAttention, Kwon et al. 2023)."""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.registries import serving_column


def _free_for_kv(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr) -> UExpr:
    return memory_headroom_bytes + kv_cache_bytes_per_device


@serving_column
def max_batch_static(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                     kv_bytes_per_token_per_device: UExpr, max_context_tokens: UExpr) -> UExpr:
    """Sequences that fit when each reserves the model's whole context up front."""
    per_sequence = kv_bytes_per_token_per_device * max_context_tokens
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / per_sequence
    return n.floor().clip(lower=0)


@serving_column
def max_batch_paged(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                    kv_bytes_per_token_per_device: UExpr, context_tokens: UExpr, kv_block_tokens: UExpr) -> UExpr:
    """Sequences that fit with a paged cache: each holds ceil(context / block) blocks."""
    blocks = (context_tokens / kv_block_tokens).ceil()
    per_sequence = kv_bytes_per_token_per_device * blocks * kv_block_tokens
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / per_sequence
    return n.floor().clip(lower=0)
