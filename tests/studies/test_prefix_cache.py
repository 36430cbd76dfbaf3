"""Prefix caching in the serving study: h = 0 leaves every row (and its config_id) as it was, h = 0.5
halves prefill's GEMM work and keeps the KV cache, wall 7 sees the shorter prefill, bad h is named."""

from __future__ import annotations

import pytest

import pipeline
from pipeline.errors import InputError
from pipeline.runs import typed
from tests.serving_rows import H100

L8 = "Llama 3.1 8B"
ONE = {"model": L8, "hardware": H100, "batch": 8, "prompt_len": 4096, "output_len": 256}
GEMMS = ("qkv_proj", "o_proj", "mlp")


@pytest.fixture(scope="module")
def rows():
    """Llama 3.1 8B on one H100, 8 prompts of 4,096 tokens, h = 0 and 0.5 (the one-row answer)."""
    return {h: pipeline.evaluate_serving(**ONE, prefix_hit_rate=h).row(0, named=True) for h in (0.0, 0.5)}


def test_half_cached_halves_the_prefill_gemms_and_keeps_the_kv(rows):
    plain, cached = rows[0.0], rows[0.5]
    for op in GEMMS:  # M = batch x new tokens: 16,384 rows instead of 32,768
        assert cached[f"prefill_{op}_flop"] == pytest.approx(plain[f"prefill_{op}_flop"] / 2)
    # the new half's queries over the whole prompt: (4096² - 2048²) / 2 of 4096² / 2 pairs = 3/4
    assert cached["prefill_attention_flop"] == pytest.approx(plain["prefill_attention_flop"] * 0.75)
    assert cached["prefill_lm_head_flop"] == plain["prefill_lm_head_flop"]  # one sampled token per sequence
    for same in ("kv_cache_bytes", "kv_cache_bytes_per_device", "itl_s", "max_context_fit_tokens"):
        assert cached[same] == plain[same]
    assert plain["ttft_s"] / 2 < cached["ttft_s"] < plain["ttft_s"] * 0.75  # GEMMs halve, attention 3/4


def test_h_zero_is_the_row_without_the_axis_and_keeps_its_config_id(rows):
    before = pipeline.evaluate_serving(**ONE).row(0, named=True)
    assert before == rows[0.0]
    key = {c: before[c] for c in typed.KEY_AXES["serving"] if c != "prefix_hit_rate"}
    assert typed.config_id_int(key) == typed.config_id_int(key | {"prefix_hit_rate": 0.0})
    assert typed.config_id_int(key) != typed.config_id_int(key | {"prefix_hit_rate": 0.5})


def test_the_sweep_path_agrees_with_the_one_row_answer(rows):
    axes = {"model": [L8], "hardware": [H100], "batch": [8], "prompt_len": [4096], "output_len": [256],
            "prefix_hit_rate": [0.0, 0.5]}
    frame = pipeline.sweep({"study": "serving", "axes": axes}).sort("prefix_hit_rate")
    assert frame["prefill_new_tokens"].to_list() == [4096.0, 2048.0]
    assert frame["ttft_s"].to_list() == pytest.approx([rows[0.0]["ttft_s"], rows[0.5]["ttft_s"]], rel=1e-9)


def test_under_load_the_prefill_share_uses_the_uncached_tokens():
    load = {h: pipeline.evaluate_serving(**ONE, request_rate=2.0, prefix_hit_rate=h, breakdown=False).row(
        0, named=True) for h in (0.0, 0.5)}
    assert load[0.5]["capacity_requests_per_s"] > load[0.0]["capacity_requests_per_s"]
    assert load[0.5]["ttft_p50_s"] < load[0.0]["ttft_p50_s"]


@pytest.mark.parametrize("h", [1.0, -0.1, 1.5])
def test_bad_hit_rate_is_named(h):
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**ONE, prefix_hit_rate=h)
    assert "axes.prefix_hit_rate[0]" in str(err.value) and f"got {h}" in str(err.value)
