"""Absorbed MLA decode attention FLOPs (pipeline.walls.mla_decode, operators' decode_attention_flop): FlashMLA's
2 h_q s_q s_k (d_k + d_v) with d_k = 576, d_v = 512 for DeepSeek-V3/R1; prefill and non-MLA models as before."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.units import unit


def test_decode_widths_by_hand():
    """DeepSeek-V3 (128 heads, kv_lora_rank 512, RoPE 64; query 128 x 192, value 128 x 128): decode scores
    128 x 576 = 73,728 and sums 128 x 512 = 65,536 wide; a GQA model keeps its 4,096 / 4,096."""
    frame = pl.DataFrame({"kv_lora_rank": [512.0, None], "n_heads": [128.0, 32.0], "qk_rope_head_dim": [64.0, None],
                          "query_dim": [128.0 * 192, 4096.0], "value_dim": [128.0 * 128, 4096.0]})
    units = dict.fromkeys(frame.columns, unit(""))
    out = formulas.plan(frame.lazy(), units, ["decode_attention_query_width", "decode_attention_value_width"],
                        formulas.REGISTRY).frame.collect()
    assert out["decode_attention_query_width"].to_list() == [73728.0, 4096.0]
    assert out["decode_attention_value_width"].to_list() == [65536.0, 4096.0]


def test_r1_decode_attention_flop_is_flashmla_count():
    """R1 on 8 H200, attention DP8 (tp 1), 128 sequences per group at a mean context of 1,024 + 2,048 / 2 = 2,048:
    2 x 128 heads x 128 x 2,048 x (576 + 512) = 73.01 GFLOP per layer (FlashMLA's formula); the prefill keeps the
    expanded widths, 2 x 128 x (S^2 / 2) x 128 x (192 + 128) per layer for the group's 128 prompts of S = 1,024."""
    r = pipeline.evaluate_serving("DeepSeek-R1", "H200 SXM 141GB", batch=1024, tp=1, ep=8, prompt_len=1024,
                                  output_len=2048, compute_dtype="fp8", framework="TensorRT-LLM").row(0, named=True)
    assert r["decode_attention_flop"] == pytest.approx(2 * 128 * 128 * 2048 * 1088, rel=1e-12)
    pairs = r["prefill_attention_flop"] / (2 * 128 * 128 * 320)
    assert pairs == pytest.approx(1024 * 1024 / 2, rel=0.01)
