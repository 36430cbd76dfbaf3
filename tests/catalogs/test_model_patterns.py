"""The pattern columns of the models catalog (pipeline.catalogs.model_patterns): old registries without
them load as "no pattern", bad values are rejected naming row and column, the importer reads them from
config.json, and the rows that exemplify them match their published parameter counts."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.catalogs.hf_config import architecture, load_config
from pipeline.catalogs.hf_import import count_params
from pipeline.catalogs.io import read_catalog, validate
from pipeline.catalogs.model_patterns import COLUMNS
from pipeline.errors import InputError

R_PATTERNS = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-patterns"


def test_a_registry_without_the_pattern_columns_loads_as_no_pattern(registry, capsys):
    path = registry / "models.parquet"
    pq.write_table(pq.read_table(path).drop(list(COLUMNS)), path)
    models = read_catalog("models", registry)
    assert all(models[c].null_count() == models.height for c in COLUMNS)
    assert "no column 'sliding_window_tokens' (added 2026-12-03)" in capsys.readouterr().err
    # Mistral 7B v0.1 then keeps all 16,384 tokens on every layer: 2 x 32 x 8 x 128 x 16,384 x 2 B
    r = pipeline.evaluate_serving(model="Mistral 7B v0.1", hardware="H100 SXM5 80GB", prompt_len=16000,
                                  output_len=384, precision="bf16", registry=registry).row(0, named=True)
    assert r["kv_cache_bytes"] == 2 * 32 * 8 * 128 * 16384 * 2


@pytest.mark.parametrize(("name", "column", "value", "expected"), [
    ("Gemma 2 9B", "sliding_window_layers", 43, "expected <= n_layers"),
    ("Llama 2 7B", "sliding_window_layers", 4, "expected sliding_window_tokens with it"),
    ("Llama 2 7B", "kv_shared_layers", 32, "expected < n_layers"),
    ("Llama 4 Maverick 17B-128E", "moe_layer_interval", 3, "floor(n_layers / moe_layer_interval)"),
])
def test_an_inconsistent_pattern_is_rejected_naming_row_and_column(name, column, value, expected):
    models = read_catalog("models")
    bad = models.with_columns(pl.when(pl.col("name") == name).then(pl.lit(value, pl.Int64))
                              .otherwise(pl.col(column)).alias(column))
    with pytest.raises(InputError) as exc:
        validate(bad, "models", "test")
    row = models["name"].to_list().index(name) + 1
    assert [(p.row, p.column) for p in exc.value.problems] == [(row, column)]
    assert expected in str(exc.value)


def test_importer_reads_windows_from_layer_types_or_the_family_rule():
    gpt_oss = load_config(R_PATTERNS / "gpt-oss-120b.json")
    assert architecture(gpt_oss)["sliding_window_layers"] == 18  # 36 alternating layer_types
    no_types = {k: v for k, v in gpt_oss.items() if k != "layer_types"}
    assert architecture(no_types)["sliding_window_layers"] == 18  # GptOssConfig: even layers slide
    gemma3 = architecture(load_config(R_PATTERNS / "gemma-3-27b.json"))
    assert (gemma3["sliding_window_tokens"], gemma3["sliding_window_layers"]) == (1024, 62 - 10)
    gemma2 = {"model_type": "gemma2", "num_hidden_layers": 42, "hidden_size": 3584, "num_attention_heads": 16,
              "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256000,
              "max_position_embeddings": 8192, "sliding_window": 4096}
    assert architecture(gemma2)["sliding_window_layers"] == 21
    mistral = gemma2 | {"model_type": "mistral"}
    assert (architecture(mistral)["sliding_window_tokens"], architecture(mistral)["sliding_window_layers"]) == (
        4096, None)  # every layer
    qwen = gemma2 | {"model_type": "qwen2", "use_sliding_window": False}
    assert architecture(qwen)["sliding_window_tokens"] is None  # Qwen's key is off by default
    with pytest.raises(InputError, match="layer_types: got 35 entries, expected num_hidden_layers 36"):
        architecture(gpt_oss | {"layer_types": gpt_oss["layer_types"][:35]})


def test_importer_unwraps_multimodal_configs_and_reads_the_moe_interval():
    maverick = load_config(R_PATTERNS / "llama-4-maverick-17b-128e.json")
    cols = architecture(maverick)
    assert cols["model_type"] == "decoder" and cols["moe_layer_interval"] == 2 and cols["n_dense_layers"] == 24
    assert (cols["ffn_dim"], cols["expert_ffn_dim"], cols["n_shared_experts"]) == (16384, 8192, 1)
    with pytest.raises(InputError, match="text_config: missing key"):
        architecture({"model_type": "gemma3"})
    wrapped = {"model_type": "gemma3", "text_config": json.loads((R_PATTERNS / "gemma-3-4b.json").read_text())}
    assert architecture(wrapped) == architecture(load_config(R_PATTERNS / "gemma-3-4b.json"))


def test_gpt_oss_120b_count_by_hand_matches_its_card():
    """Per layer: attention 2 x 2,880 x 4,096 + 2 x 2,880 x 512 weights + 4,096 + 1,024 + 2,880 biases =
    26,550,080; 128 experts x (3 x 2,880² + 2 x 2,880 + 2,880) = 3,186,155,520; router 2,880 x 128 = 368,640;
    2 norms 5,760. x 36 layers, + untied embedding and head 2 x 201,088 x 2,880 + final norm 2,880 =
    116,829,149,760 (card: 116.83B)."""
    layer = 26_550_080 + 128 * (3 * 2880**2 + 3 * 2880) + 2880 * 128 + 2 * 2880
    total = 36 * layer + 2 * 201_088 * 2880 + 2880
    assert total == 116_829_149_760
    row = read_catalog("models").filter(pl.col("name") == "GPT-OSS 120B").row(0, named=True)
    assert f"params computed from config = {total:,}" in row["notes"]
    assert abs(total / 116.83e9 - 1) < 0.0001


@pytest.mark.parametrize(("name", "published", "tolerance"), [
    ("Gemma 3 4B", 3_884e6, 0.01), ("Gemma 3 12B", 11_771e6, 0.01), ("Gemma 3 27B", 27_016e6, 0.01),
    ("GPT-OSS 20B", 20.91e9, 0.01), ("GPT-OSS 120B", 116.83e9, 0.01),
    # Llama 4 cards count the multimodal model: 400B / 109B minus the 871,932,416 of the vision encoder,
    # adapter and projector (hand count in tests/catalogs/test_r_reg.py)
    ("Llama 4 Maverick 17B-128E", 400e9 - 871_932_416, 0.01), ("Llama 4 Scout 17B-16E", 109e9 - 871_932_416, 0.01),
])
def test_new_rows_match_their_published_text_decoder_counts(name, published, tolerance):
    """Gemma 3: report Table 1 embedding + non-embedding parameters (e.g. 27B: 1,416M + 25,600M); GPT-OSS:
    card totals; Llama 4: card totals of the multimodal models less the vision part (Scout -0.33 %, Maverick
    +0.40 %; against the whole-model totals Scout's text decoder alone was 1.1 % below)."""
    row = read_catalog("models").filter(pl.col("name") == name).row(0, named=True)
    assert row["params_published"] == published
    computed, _ = count_params(row)
    assert abs(computed / published - 1) < tolerance
    assert "Published count:" in row["notes"]


def test_maverick_interleaves_24_moe_and_24_dense_layers():
    """48 layers, a 128-expert MoE MLP (plus a shared expert of 8,192) every other layer, a dense MLP of
    16,384 on the others: 24 x (129 x 3 x 5,120 x 8,192 + 5,120 x 128) + 24 x 3 x 5,120 x 16,384 of MLP."""
    row = read_catalog("models").filter(pl.col("name") == "Llama 4 Maverick 17B-128E").row(0, named=True)
    interleaved, _ = count_params(row)
    every_layer, _ = count_params(row | {"moe_layer_interval": None, "n_dense_layers": 0})
    moe, dense = 129 * 3 * 5120 * 8192 + 5120 * 128, 3 * 5120 * 16384
    assert every_layer - interleaved == 24 * (moe - dense)


def test_importer_reads_the_checkpoints_quantized_layers():
    """GPT-OSS's config.json quantization_config (mxfp4; modules_to_not_convert self_attn, mlp.router, embed_tokens,
    lm_head): only the routed experts are 4-bit ('experts'); without it, or with attention converted too, null."""
    gpt_oss = load_config(R_PATTERNS / "gpt-oss-120b.json")
    quant = {"quant_method": "mxfp4", "modules_to_not_convert": [
        "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}
    assert architecture(gpt_oss | {"quantization_config": quant})["quantized_layers"] == "experts"
    assert architecture(gpt_oss)["quantized_layers"] is None
    everything = quant | {"modules_to_not_convert": ["lm_head"]}
    assert architecture(gpt_oss | {"quantization_config": everything})["quantized_layers"] is None
