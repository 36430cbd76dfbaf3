"""Parameter counts and KV-cache width against published values."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.studies.sides import shaped_models
from pipeline.walls.architecture import MODEL_COLUMNS


@pytest.fixture(scope="module")
def models() -> pl.DataFrame:
    frame, _units = shaped_models(read_catalog("models"), ["model_type", "params_published", "params_active_per_token",
                                                             *MODEL_COLUMNS])
    return frame.rename({"model": "name"})


def test_every_transformer_matches_its_published_parameter_count_within_2_percent(models):
    transformers = models.filter(pl.col("model_type") != "cnn")
    assert transformers.height >= 25
    off = transformers.with_columns(
        error=(pl.col("params_computed") / pl.col("params_published") - 1).abs()
    ).filter(pl.col("error") > 0.02)
    assert off.height == 0, off.select("name", "params_published", "params_computed", "error").rows()


@pytest.mark.parametrize("name, published", [
    ("Llama 2 7B", 6_738_415_616),      # HF safetensors total ("7B" is 6.74B)
    ("Llama 3.1 405B", 405_853_388_800),
    ("Mixtral 8x7B", 46_702_792_704),
    ("GPT-2 (124M)", 124_439_808),      # learned positions, biases, LayerNorm, tied head
])
def test_exact_parameter_counts(models, name, published):
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_computed"] == published


def test_moe_active_parameters_per_token(models):
    """Published active counts include the input embedding table, which a token only looks up:
    Mixtral 8x7B 12.9B (Jiang et al. 2024), DeepSeek-V3 37B (arXiv:2412.19437)."""
    for name, vocab, d, published in [("Mixtral 8x7B", 32000, 4096, 12.9e9),
                                      ("DeepSeek-V3", 129280, 7168, 37e9)]:
        row = models.filter(pl.col("name") == name).row(0, named=True)
        assert row["params_active_per_token"] + vocab * d == pytest.approx(published, rel=0.02), name


@pytest.mark.parametrize("name, elements_per_token", [
    ("Llama 2 70B", 2 * 80 * 8 * 128),   # GQA: 8 KV heads, not 64
    ("Llama 2 7B", 2 * 32 * 32 * 128),   # MHA
    ("DeepSeek-V3", 61 * (512 + 64)),    # MLA latent + decoupled RoPE key
    ("PaLM 540B", 2 * 118 * 1 * 256),    # multi-query: one K/V head of 256

    # Raschka's LLM architecture gallery, "KV cache / token (bf16)": Kimi K2 68.6 KiB, GLM-4.5 368 KiB
    ("Kimi K2", 61 * (512 + 64)),        # = 70,272 B = 68.6 KiB
    ("GLM-4.5", 2 * 92 * 8 * 128),       # = 376,832 B = 368 KiB
])
def test_kv_cache_elements_per_token(name, elements_per_token):
    """One token of context at fp16 (2 B per element) on one device."""
    import pipeline

    row = pipeline.evaluate(model=name, hardware="MI300X", batch=1, seq_len=1, step="decode").row(0, named=True)
    assert row["kv_cache_bytes"] == elements_per_token * 2


# Models of published training runs (registry_data/research/r-modelsrun/apply.py): the count each
# source publishes. Narayanan et al. 2021 print Table 1 rounded to 0.1 B; the exact figure is their
# §5.1 equation P = 12 l h^2 (1 + 13/(12h) + (V+s)/(12 l h)), V = 51200, s = 2048, at the Table 1 shape.
def narayanan(l: int, h: int) -> float:
    return 12 * l * h * h * (1 + 13 / (12 * h) + (51200 + 2048) / (12 * l * h))


@pytest.mark.parametrize("name, published", [
    ("Megatron-GPT 1.7B", narayanan(24, 2304)), ("Megatron-GPT 3.6B", narayanan(30, 3072)),
    ("Megatron-GPT 7.5B", narayanan(36, 4096)), ("Megatron-GPT 18B", narayanan(40, 6144)),
    ("Megatron-GPT 39B", narayanan(48, 8192)), ("Megatron-GPT 76B", narayanan(60, 10240)),
    ("Megatron-GPT 145B", narayanan(80, 12288)), ("Megatron-GPT 310B", narayanan(96, 16384)),
    ("Megatron-GPT 530B", narayanan(105, 20480)),
    ("Megatron-Turing NLG 530B", 530e9),    # Smith et al. 2022
    ("PaLM 540B", 540.35e9),                # Chowdhery et al. 2022, Table 1
    ("Gopher 280B", 280e9),                 # Rae et al. 2021, Table 1
    ("OPT-175B", 175e9),                    # Zhang et al. 2022, Table 1
    ("BLOOM-176B", 176_247_271_424),        # bigscience/bloom model card, exact count
    ("Falcon-180B", 180e9),                 # tiiuae/falcon-180B model card
    ("MPT-7B", 6.7e9), ("MPT-30B", 30e9),   # mosaicml model cards
])
def test_published_training_run_models_within_1_percent(models, name, published):
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_computed"] == pytest.approx(published, rel=0.01)


def test_narayanan_table_1_rounding():
    """The equation reproduces the printed Table 1 column (billions, one decimal)."""
    printed = [1.7, 3.6, 7.5, 18.4, 39.1, 76.1, 145.6, 310.1, 529.6, 1008.0]
    shapes = [(24, 2304), (30, 3072), (36, 4096), (40, 6144), (48, 8192), (60, 10240), (80, 12288),
              (96, 16384), (105, 20480), (128, 25600)]
    assert [round(narayanan(l, h) / 1e9, 1) for l, h in shapes] == printed


def test_bloom_exact_but_the_embedding_layernorm(models):
    """BLOOM's card: 176,247,271,424; the formula leaves out the LayerNorm after the word
    embeddings (scale and bias, 2 x 14336)."""
    row = models.filter(pl.col("name") == "BLOOM-176B").row(0, named=True)
    assert row["params_computed"] + 2 * 14336 == 176_247_271_424


def test_relative_positions_add_one_key_projection_per_layer(models):
    """Transformer-XL (Dai et al. 2019 §3.3) projects the position encodings with W_k,R
    (d_model x heads*head_dim) in every layer: Gopher's attention is 4 d^2 + d^2 (no biases)."""
    row = models.filter(pl.col("name") == "Gopher 280B").row(0, named=True)
    assert row["attention_params_per_layer"] == 5 * 16384 ** 2


def test_multi_query_attention(models):
    """PaLM 540B: 48 query heads of 256 and one shared K/V head (Chowdhery et al. 2022 §2)."""
    row = models.filter(pl.col("name") == "PaLM 540B").row(0, named=True)
    assert row["attention_params_per_layer"] == 18432 * (2 * 48 * 256 + 2 * 256)

# Current open-weight models (issue 13 item 1; configs and sources in registry_data/research/r-models25/):
# the count from each config against the model card's count of the text decoder (MTP heads and vision
# encoders excluded), within 1 %.
@pytest.mark.parametrize("name, card", [
    ("Qwen3 4B", 4.0e9), ("Qwen3 8B", 8.2e9), ("Qwen3 14B", 14.8e9), ("Qwen3 32B", 32.8e9),   # Qwen3 cards
    ("Qwen3-30B-A3B", 30.5e9), ("Qwen3-235B-A22B", 235e9),
    ("Qwen2.5 3B", 3.09e9), ("Qwen2.5 14B", 14.7e9), ("Qwen2.5 32B", 32.5e9),                 # Qwen2.5 cards
    ("Llama 3.3 70B", 70e9),                                    # card "70B"
    ("DeepSeek-R1", 671e9),                                     # card "671B total" (main model, no MTP)
    ("Mistral Large 2 (2407)", 123e9),                          # Mistral release post "123 billion"
    ("GLM-4.5", 355e9), ("GLM-4.5-Air", 106e9),                 # zai-org/GLM-4.5 README (MTP excluded)
])
def test_current_models_match_their_model_card_within_1_percent(models, name, card):
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_computed"] == pytest.approx(card, rel=0.01)


@pytest.mark.parametrize("name, safetensors_bytes", [
    ("Mistral Small 3 (24B, 2501)", 47_144_806_400),  # model.safetensors.index.json total_size, bf16
    ("Mistral Nemo 12B", 24_495_564_800),
    ("Phi-4 (14B)", 29_319_014_400),
])
def test_cards_that_round_match_the_checkpoint_exactly(models, name, safetensors_bytes):
    """These cards say 24B, 12B and 14B (-1.8 %, +2.1 %, +4.7 %); the bf16 checkpoint has 2 bytes per weight."""
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_computed"] == safetensors_bytes // 2


def test_kimi_k2_is_the_one_trillion_of_its_card_to_one_significant_figure(models):
    """Model card and arXiv:2507.20534: '1T total, 32B activated' (rounded); no exact count is published."""
    row = models.filter(pl.col("name") == "Kimi K2").row(0, named=True)
    assert round(row["params_computed"] / 1e12) == 1 and row["params_computed"] != 1e12
    assert round(row["params_active_per_token"] / 1e9) == 32   # active, without the input embedding


@pytest.mark.parametrize("name, vocab, d, published", [
    ("Qwen3-30B-A3B", 151936, 2048, 3.3e9),     # card: 3.3B activated
    ("Qwen3-235B-A22B", 151936, 4096, 22e9),    # card: 22B activated
    ("DeepSeek-R1", 129280, 7168, 37e9),        # card: 37B activated
])
def test_current_moe_active_parameters_per_token(models, name, vocab, d, published):
    """As above, the published active counts include the input embedding table."""
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_active_per_token"] + vocab * d == pytest.approx(published, rel=0.02)
