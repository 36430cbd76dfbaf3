"""Prefix caching's formulas (pipeline.walls.prefix_cache and the prefill formulas that read it)
against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def test_only_the_uncached_tokens_go_through_the_weights():
    """8 prompts of 4,096 tokens: h = 0.5 caches 2,048 of each, prefill computes 8 x 2,048 = 16,384
    tokens (half of 32,768); h = 0.25 of 1,000 leaves 750; h = 0 leaves the whole prompt."""
    out = evaluate(["prefill_cached_tokens", "prefill_new_tokens", "prefill_tokens"],
                   batch=([8, 8, 1], ""), prompt_len=([4096, 4096, 1000], "tok"),
                   prefix_hit_rate=([0.0, 0.5, 0.25], ""), ep=([1, 1, 1], ""), tp=([1, 1, 1], ""),
                   n_experts=([None] * 3, ""))
    assert out["prefill_cached_tokens"] == [0.0, 2048.0, 250.0]
    assert out["prefill_new_tokens"] == [4096.0, 2048.0, 750.0]
    assert out["prefill_tokens"] == [32768.0, 16384.0, 750.0]


def test_new_queries_attend_over_the_whole_prompt():
    """P = 16,384, half cached. Global layers: the queries 8,193..16,384 attend i keys each,
    16,384²/2 - 8,192²/2 = 134,217,728 - 33,554,432 = 100,663,296 pairs (not the 8,192²/2 =
    33,554,432 of a fresh 8,192-token prompt). Window W = 4,096 on every layer: each new query sees
    exactly W keys, 8,192 x 4,096 = 33,554,432. Half the layers windowed: the mean of the two.
    h = 0: the causal S²/2 = 134,217,728."""
    out = evaluate(["prefill_attention_pairs"], prompt_len=([16384] * 4, "tok"),
                   prefix_hit_rate=([0.5, 0.5, 0.5, 0.0], ""),
                   sliding_window_tokens=([None, 4096, 4096, None], "tok"),
                   sliding_layer_share=([0.0, 1.0, 0.5, 0.0], ""), window_kv_cache=([True] * 4, None),
                   window_attention_model=([False] * 4, None), window_attention_models=([None] * 4, None))
    assert out["prefill_attention_pairs"] == [100_663_296, 33_554_432, (100_663_296 + 33_554_432) / 2,
                                              134_217_728]


def test_a_burst_prefills_the_uncached_tokens():
    """The hand case of tests/validation/test_burst.py (10 prompts of 1,000 tokens, a 2,000-token budget:
    1.995 prompts per iteration) is the same burst as 10 prompts of 2,000 tokens, half of them cached."""
    units = {"burst_requests": unit(""), "load_batch_cap": unit(""), "prefill_chunk_tokens": unit("tok"),
             "prompt_len": unit("tok"), "prefix_hit_rate": unit(""), "generated_tokens": unit("tok")}
    out = formulas.compile_scalar(units, ["burst_prefill_batch"], FORMULAS)(
        {"burst_requests": 10.0, "load_batch_cap": 16.0, "prefill_chunk_tokens": 2000.0, "prompt_len": 2000.0,
         "prefix_hit_rate": 0.5, "generated_tokens": 101.0})
    assert out["burst_prefill_batch"] == pytest.approx(1.995)
