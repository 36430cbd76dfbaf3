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
])
def test_kv_cache_elements_per_token(name, elements_per_token):
    """One token of context at fp16 (2 B per element) on one device."""
    import pipeline

    row = pipeline.evaluate(model=name, hardware="MI300X", batch=1, seq_len=1, step="decode").row(0, named=True)
    assert row["kv_cache_bytes"] == elements_per_token * 2
