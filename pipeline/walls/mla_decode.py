"""Absorbed MLA decode: the widths a decode step's attention multiplies over, per query head.

Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434, §2.1.3; DeepSeek-V3 §2.1.1) caches one latent of
``kv_lora_rank`` elements plus a shared RoPE key of ``qk_rope_head_dim`` per token. In decode the up-projections are
absorbed ("W_UK can be absorbed into W_Q, and W_UV can be absorbed into W_O", V2 §2.1.3), so every query head scores
the whole cached row, d_k = kv_lora_rank + qk_rope_head_dim (576 in DeepSeek-V3/R1), and sums the latent, d_v =
kv_lora_rank (512): FLOPs 2 h_q s_q s_k (d_k + d_v), FlashMLA's count (deepseek-ai/FlashMLA,
docs/20250422-new-kernel-deep-dive.md), which is why its decode kernel is compute-bound from h_q s_q >= 128 on an
H800. Prefill expands the latent to per-head keys and values (qk 192, v 128) and keeps ``query_dim`` / ``value_dim``;
a model without MLA keeps them in decode too. ``operators.operator_work`` reads these for ``decode_attention_flop``.
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, where


@column
def decode_attention_query_width(is_mla: Plain, n_heads: UExpr, kv_lora_rank: UExpr, qk_rope_head_dim: UExpr,
                                 query_dim: UExpr) -> UExpr:
    """Score width summed over the query heads in decode: n_heads x (kv_lora_rank + qk_rope_head_dim) under
    absorbed MLA, else ``query_dim``."""
    return where(is_mla, n_heads * (kv_lora_rank + qk_rope_head_dim), query_dim)


@column
def decode_attention_value_width(is_mla: Plain, n_heads: UExpr, kv_lora_rank: UExpr, value_dim: UExpr) -> UExpr:
    """Value width summed over the query heads in decode: n_heads x kv_lora_rank under absorbed MLA, else
    ``value_dim``."""
    return where(is_mla, n_heads * kv_lora_rank, value_dim)
