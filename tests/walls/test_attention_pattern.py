"""Attention patterns (pipeline.walls.attention_pattern and its users) against hand-computed values:
the KV cache of sliding-window models, their attention work, and what more fits in the serving study."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit
from tests.serving_rows import H100, row

BF16 = 2  # bytes per element


def _serving(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def test_mistral_7b_at_16k_caches_only_its_4096_token_window():
    """Mistral 7B v0.1: window 4096 on all 32 layers, 8 KV heads of 128, bf16. At 16,384 tokens each layer
    keeps the last 4,096: 2 (K and V) x 32 layers x 8 heads x 128 x 4,096 tokens x 2 B = 536,870,912 B,
    a quarter of the 2,147,483,648 B a global cache would hold."""
    r = row(model="Mistral 7B v0.1", hardware=H100, batch=1, prompt_len=16000, output_len=384, precision="bf16")
    assert r["kv_held_tokens"] == 4096
    assert r["kv_cache_bytes"] == 2 * 32 * 8 * 128 * 4096 * BF16 == 536_870_912
    assert r["kv_cache_bytes_per_device"] == 536_870_912


def test_gemma3_27b_at_32k_caches_10_global_layers_whole_and_52_local_layers_window():
    """Gemma 3 27B: 62 layers, 5 local : 1 global, so 10 global (layers 6, 12, ..., 60) and 52 local with
    window 1024; 16 KV heads of 128; bf16. At 32,768 tokens: 2 x 16 x 128 x 2 B = 8,192 B per token and
    layer, x (10 x 32,768 + 52 x 1,024) = 380,928 layer-tokens = 3,120,562,176 B (vs 62 x 32,768 x 8,192 =
    16,642,998,272 B without the pattern)."""
    r = row(model="Gemma 3 27B", hardware=H100, batch=1, prompt_len=32000, output_len=768, precision="bf16")
    assert 8192 * (10 * 32768 + 52 * 1024) == 3_120_562_176
    assert r["kv_cache_bytes"] == pytest.approx(3_120_562_176, rel=1e-12)  # a float sum of layer shares
    assert r["kv_held_tokens"] == pytest.approx(380_928 / 62, rel=1e-12)


def test_window_layers_attend_over_at_most_the_window():
    """Prefill of S = 16,384 with window W = 4,096 on every layer: sum over queries of min(i, W) =
    S·W - W²/2 = 67,108,864 - 8,388,608 = 58,720,256 pairs per layer (a causal S²/2 is 134,217,728);
    half the layers windowed: the mean of the two. Decode at 16,384: 4,096 keys (all windowed), 10,240
    (half); short prompts under the window are unchanged."""
    out = _serving(["prefill_attention_pairs", "decode_kv_read_tokens", "decode_attention_pairs"],
                   prompt_len=([16384, 16384, 16384, 1000], "tok"), prefix_hit_rate=([0.0] * 4, ""),
                   decode_context_tokens=([16384] * 4, "tok"),
                   sliding_window_tokens=([4096, 4096, None, 4096], "tok"),
                   sliding_layer_share=([1.0, 0.5, 0.0, 1.0], ""), window_kv_cache=([True] * 4, None),
                   window_attention_model=([False] * 4, None), window_attention_models=([None] * 4, None))
    assert out["prefill_attention_pairs"] == [58_720_256, (58_720_256 + 134_217_728) / 2, 134_217_728, 500_000]
    assert out["decode_kv_read_tokens"] == [4096, 10240, 16384, 4096]
    assert out["decode_attention_pairs"] == [4096, 10240, 16384, 4096]


def test_pattern_shares_and_kv_sharing():
    """Gemma 3 27B: 52 / 62 window layers; a window without a layer count windows every layer; 15 of
    35 layers sharing KV (Gemma 3n's num_kv_shared_layers) keep 20 / 35 of the cache."""
    out = _serving(["sliding_layer_share", "kv_layer_share", "kv_held_tokens"], window_kv_cache=([True] * 4, None),
                   n_layers=([62, 32, 35, 40], ""), sliding_window_tokens=([1024, 4096, None, None], "tok"),
                   sliding_window_layers=([52, None, None, None], ""), kv_shared_layers=([None, None, 15, None], ""),
                   context_tokens=([32768, 16384, 3500, 3500], "tok"))
    assert out["sliding_layer_share"] == pytest.approx([52 / 62, 1.0, 0.0, 0.0])
    assert out["kv_layer_share"] == pytest.approx([1.0, 1.0, 20 / 35, 1.0])
    assert out["kv_held_tokens"] == pytest.approx([380_928 / 62, 4096, 2000, 3500])


def _paged_and_context(r: dict, per_token_layer: int, layers: int, context: int, global_layers: int,
                       window_blocks: int, window: int, batch: int, max_context: int) -> dict:
    """By hand, from the memory left for the cache (headroom + the batch's cache): sequences of a paged
    cache (16-token blocks) and the largest context of each of ``batch`` sequences, with and without
    the pattern."""
    free = r["memory_headroom_bytes"] + r["kv_cache_bytes_per_device"]
    blocks = math.ceil(context / 16)
    flat = per_token_layer * layers * blocks * 16
    patterned = per_token_layer * 16 * (global_layers * blocks + (layers - global_layers) * window_blocks)
    budget = free / (batch * per_token_layer * layers)  # layer-mean tokens per sequence
    share = (layers - global_layers) / layers
    beyond = (budget - share * window) / (1 - share) if budget >= window else budget
    return {"paged": math.floor(free / patterned), "paged_flat": math.floor(free / flat),
            "context": min(math.floor(beyond), max_context), "context_flat": min(math.floor(budget), max_context)}


def test_gemma3_27b_fits_more_sequences_and_longer_contexts_with_its_pattern():
    """Gemma 3 27B, bf16, one H100, 32,768-token requests: 8,192 B per token and layer. Paged: a global layer
    holds 2,048 blocks; a local one 2,048 - floor((32,768 - 1,024 + 1) / 16) = 64 (vLLM frees the blocks
    behind the window). Largest context at batch 1: the flat cache stops at free / (62 x 8,192 B) tokens;
    the pattern reaches (T - f·W) / (1 - f) with f = 52 / 62, capped at 131,072."""
    r = row(model="Gemma 3 27B", hardware=H100, batch=1, prompt_len=32000, output_len=768, precision="bf16")
    assert 2048 - (32768 - 1024 + 1) // 16 == 64
    want = _paged_and_context(r, 8192, 62, 32768, 10, 64, 1024, 1, 131072)
    assert r["max_batch_paged"] == want["paged"] > want["paged_flat"]
    assert r["max_context_fit_tokens"] == want["context"] > want["context_flat"]


def test_gpt_oss_120b_fits_more_sequences_and_longer_contexts_with_its_pattern():
    """GPT-OSS 120B, bf16, TP 4 on H100s (8 KV heads: 2 per device, head 64): 2 x 2 x 64 x 2 B = 512 B per
    token and layer per device; 18 of 36 layers window 128. 9,216-token requests: 576 blocks on a full
    layer, 576 - floor((9,216 - 128 + 1) / 16) = 8 on a window layer. 64 sequences at a time."""
    r = row(model="GPT-OSS 120B", hardware=H100, tp=4, batch=64, prompt_len=8192, output_len=1024, precision="bf16")
    assert 576 - (9216 - 128 + 1) // 16 == 8
    want = _paged_and_context(r, 512, 36, 9216, 18, 8, 128, 64, 131072)
    assert r["max_batch_paged"] == want["paged"] > want["paged_flat"]
    assert r["max_context_fit_tokens"] == want["context"] > want["context_flat"]


def test_a_model_without_a_pattern_keeps_the_flat_cache():
    """Llama 2 70B (no window): max_batch_paged = free / (2 x 80 x 8 x 128 x 2 B x 2,048 tokens)."""
    r = row(model="Llama 2 70B", hardware=H100, tp=2, batch=1, prompt_len=1536, output_len=512)
    free = r["memory_headroom_bytes"] + r["kv_cache_bytes_per_device"]
    assert r["kv_held_tokens"] == 2048
    assert r["max_batch_paged"] == math.floor(free / (2 * 80 * 4 * 128 * 2 * 2048))


def test_tensorrt_llm_keeps_the_whole_context_without_max_attention_window():
    """TensorRT-LLM applies a window only when the engine runs with max_attention_window (its profiles:
    window_kv_cache false): Mistral 7B v0.1 at 16,384 tokens then holds 2 x 32 x 8 x 128 x 16,384 x 2 B =
    2,147,483,648 B and attends over the whole context."""
    r = row(model="Mistral 7B v0.1", hardware=H100, batch=1, prompt_len=16000, output_len=384, precision="bf16",
            framework="TensorRT-LLM")
    assert r["kv_held_tokens"] == 16384
    assert r["kv_cache_bytes"] == 2 * 32 * 8 * 128 * 16384 * BF16 == 2_147_483_648


def test_the_framework_behaviour_holds_on_hardware_without_its_own_profile():
    """The L40S has no TensorRT-LLM profile; TensorRT-LLM's window_kv_cache (stated on its A100 and H100
    rows) still applies there: the whole 16,384-token context on every layer."""
    r = row(model="Mistral 7B v0.1", hardware="L40S", batch=1, prompt_len=16000, output_len=384, precision="bf16",
            framework="TensorRT-LLM")
    assert r["kv_held_tokens"] == 16384


GPT_OSS = "GPT-OSS 120B, GPT-OSS 20B"  # TensorRT-LLM's profiles' window_attention_models


def test_reads_follow_the_model_code_where_the_cache_keeps_the_whole_context():
    """GPT-OSS 120B (window W = 128 on 18 of 36 layers, share 0.5) decoding at S = 2,304: a kernel that applies the
    window reads 0.5 x 2,304 + 0.5 x 128 = 1,216 keys a layer, the whole-context kernel 2,304; its prompt of 2,048
    tokens makes 0.5 x 2,048²/2 + 0.5 x (2,048 x 128 - 128²/2) = 1,048,576 + 126,976 = 1,175,552 pairs a layer
    (2,097,152 unwindowed). TensorRT-LLM (cache false) passes GPT-OSS's window to its kernel (the model flagged,
    its profile stating models): windowed reads; a framework stating none (TensorRT-LLM Triton) or a model not
    flagged: the whole context; vLLM's cache keeps the window: windowed reads either way."""
    assert 0.5 * 2304 + 0.5 * 128 == 1216 and 0.5 * 2048**2 / 2 + 0.5 * (2048 * 128 - 128**2 / 2) == 1_175_552
    out = _serving(["window_read_share", "decode_kv_read_tokens", "prefill_attention_pairs"],
                   prompt_len=([2048] * 4, "tok"), prefix_hit_rate=([0.0] * 4, ""),
                   decode_context_tokens=([2304] * 4, "tok"), sliding_window_tokens=([128] * 4, "tok"),
                   sliding_layer_share=([0.5] * 4, ""), window_kv_cache=([False, False, False, True], None),
                   window_attention_model=([True, True, False, False], None),
                   window_attention_models=([GPT_OSS, None, GPT_OSS, None], None))
    assert out["window_read_share"] == [0.5, 0.0, 0.0, 0.5]
    assert out["decode_kv_read_tokens"] == [1216, 2304, 2304, 1216]
    assert out["prefill_attention_pairs"] == [1_175_552, 2_097_152, 2_097_152, 1_175_552]


def test_tensorrt_llm_windows_gpt_oss_reads_but_keeps_its_whole_context():
    """GPT-OSS 120B, one H100, a 2,048-token prompt: TensorRT-LLM's kernel computes 1,175,552 / 2,097,152 of the
    unwindowed prefill attention FLOPs (the Triton backend's profile states no model: unwindowed), while both keep
    the whole 2,560-token context (window_kv_cache false). Mistral 7B v0.1 (the engine flow's rows) is not listed:
    TensorRT-LLM prices its attention as before, over the whole context."""
    def pick(model: str, framework: str) -> dict:
        return row(model=model, hardware=H100, batch=1, prompt_len=2048, output_len=512, precision="bf16",
                   framework=framework)

    trt, triton = pick("GPT-OSS 120B", "TensorRT-LLM"), pick("GPT-OSS 120B", "TensorRT-LLM Triton")
    assert trt["prefill_attention_flop"] / triton["prefill_attention_flop"] == pytest.approx(1_175_552 / 2_097_152)
    assert trt["kv_held_tokens"] == triton["kv_held_tokens"] == 2048 + 512
    mistral = pick("Mistral 7B v0.1", "TensorRT-LLM")
    assert mistral["prefill_attention_flop"] == pick("Mistral 7B v0.1", "TensorRT-LLM Triton")["prefill_attention_flop"]


def test_the_bundled_profiles_name_gpt_oss_and_one_set_only():
    """TensorRT-LLM's profiles name GPT-OSS 120B and 20B (modeling_gpt_oss.py); two frameworks naming different sets
    cannot share one model side."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.errors import InputError
    from pipeline.studies.efficiency import window_attention_models

    profiles = load_catalogs().efficiency_profiles
    assert window_attention_models(profiles) == ["GPT-OSS 120B", "GPT-OSS 20B"]
    other = profiles.with_columns(window_attention_models=pl.when(pl.col("framework") == "vLLM")
                                  .then(pl.lit("Gemma 3 27B")).otherwise(pl.col("window_attention_models")))
    with pytest.raises(InputError, match="window_attention_models"):
        window_attention_models(other)
