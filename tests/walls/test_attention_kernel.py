"""The fused-attention shape model against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.units import col
from pipeline.walls.attention_kernel import attention_efficiency, attention_query_blocks


def _eval(expr, **columns: float) -> float:
    return pl.DataFrame({k: [float(v)] for k, v in columns.items()}).select(expr.expr).item()


def _c(name: str):
    return col(name, "")


def test_query_blocks_of_the_flashattention3_benchmark_setup():
    """FA3 paper setup at seq 2048, head dim 128: batch 16384/2048 = 8, heads 2048/128 = 16,
    ceil(2048/128) = 16 query blocks per head: 8 x 16 x 16 = 2048 CTAs; one query (decode) is one block."""
    blocks = attention_query_blocks(_c("b"), _c("h"), _c("q"))
    assert _eval(blocks, b=8, h=16, q=2048) == 2048
    assert _eval(blocks, b=8, h=16, q=1) == 128


def test_efficiency_multiplies_ceiling_wave_keys_and_head_dim():
    """Causal 2048-token prefill of 32 heads on 132 SMs: 32 x 16 = 512 blocks, 4 waves, 512/528;
    keys per query 1024; ceiling 0.8, s_half 300, d_half 32, d 128:
    0.8 x 512/528 x 1024/1324 x 128/160."""
    eff = attention_efficiency(_c("keys"), _c("d"), _c("blocks"), _c("units"), _c("ceil"), _c("sh"), _c("dh"))
    value = _eval(eff, keys=1024, d=128, blocks=512, units=132, ceil=0.8, sh=300, dh=32)
    assert value == pytest.approx(0.8 * (512 / 528) * (1024 / 1324) * (128 / 160))


def test_a_short_prompt_of_one_sequence_leaves_sms_idle():
    """128 tokens, 32 heads: 32 blocks on 132 SMs, one wave a quarter full (32/132)."""
    eff = attention_efficiency(_c("keys"), _c("d"), _c("blocks"), _c("units"), _c("ceil"), _c("sh"), _c("dh"))
    value = _eval(eff, keys=64, d=128, blocks=32, units=132, ceil=1.0, sh=0.0, dh=0.0)
    assert value == pytest.approx(32 / 132)
