"""The importer's glm4_moe and kimi_k2 model types, and the --notes / --last-verified options."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.hf_import import count_params, import_hf_config, model_row
from pipeline.catalogs.io import read_catalog
from tests.catalogs.test_hf_config import ARCHITECTURE, DEEPSEEK_V3, LLAMA_2_7B, LLAMA_URL, write_config

CONFIGS = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-models25" / "configs"

# A small glm4_moe config (Glm4MoeForCausalLM keys): 3 layers, the first dense, then MoE layers of
# 4 routed experts (top-2) + 1 shared; GQA 4 query / 2 KV heads of 16; q/k/v biases.
TINY_GLM = {
    "architectures": ["Glm4MoeForCausalLM"], "model_type": "glm4_moe", "attention_bias": True,
    "first_k_dense_replace": 1, "head_dim": 16, "hidden_size": 64, "intermediate_size": 128,
    "max_position_embeddings": 4096, "moe_intermediate_size": 32, "n_routed_experts": 4, "n_shared_experts": 1,
    "num_attention_heads": 4, "num_experts_per_tok": 2, "num_hidden_layers": 3, "num_key_value_heads": 2,
    "num_nextn_predict_layers": 1, "partial_rotary_factor": 0.5, "tie_word_embeddings": False,
    "use_qk_norm": True, "vocab_size": 100,
}


def test_glm4_moe_maps_dense_prefix_shared_expert_and_gqa():
    row = model_row(TINY_GLM, name="tiny GLM", source_url=LLAMA_URL, release_year=2025)
    assert {c: row[c] for c in ("is_moe", "n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim",
                                "is_gated_mlp", "n_experts", "n_experts_per_token", "n_shared_experts",
                                "expert_ffn_dim", "n_dense_layers", "has_linear_bias", "kv_lora_rank",
                                "is_tied_embeddings")} == {
        "is_moe": True, "n_layers": 3, "d_model": 64, "n_heads": 4, "n_kv_heads": 2, "head_dim": 16,
        "ffn_dim": 128, "is_gated_mlp": True, "n_experts": 4, "n_experts_per_token": 2, "n_shared_experts": 1,
        "expert_ffn_dim": 32, "n_dense_layers": 1, "has_linear_bias": True, "kv_lora_rank": None,
        "is_tied_embeddings": False}
    assert "multi-token-prediction layer" in row["notes"] and "q_norm/k_norm" in row["notes"]


def test_glm4_moe_parameter_count_by_hand():
    """Counted by hand with the catalog's conventions (every linear of a biased model has a bias)."""
    d, q, kv, ffn, moe_ffn = 64, 4 * 16, 2 * 16, 128, 32
    attention = 2 * d * q + 2 * d * kv + (q + 2 * kv + d)   # q, k, v, o weights and biases
    norms = 2 * d
    dense_mlp = 3 * d * ffn + (2 * ffn + d)                 # gate, up, down + biases
    expert = 3 * d * moe_ffn + (2 * moe_ffn + d)
    router = d * 4
    blocks = 3 * (attention + norms) + 1 * dense_mlp + 2 * (1 * expert + router)
    routed = 2 * 4 * expert
    embed = head = 100 * d
    total = blocks + routed + embed + head + d               # + final norm
    active = blocks + 2 * 2 * expert + head
    assert count_params(model_row(TINY_GLM, name="tiny", source_url=LLAMA_URL, release_year=2025)) == (total, active)


def test_glm_4_5_air_config_imports_within_1_percent_of_the_published_106b(registry):
    """zai-org/GLM-4.5 README: GLM-4.5-Air has 106B total parameters."""
    _, row = import_hf_config(CONFIGS / "glm-4.5-air.json", name="GLM-4.5-Air (test)", source_url=LLAMA_URL,
                              release_year=2025, params_published=106_000_000_000, registry=registry)
    computed, _ = count_params(row)
    assert computed == pytest.approx(106e9, rel=0.01)
    experts = (row["n_experts"], row["expert_ffn_dim"], row["n_dense_layers"], row["n_shared_experts"])
    assert experts == (128, 1408, 1, 1)


def test_kimi_k2_is_read_as_deepseek_v3_mla():
    """Kimi K2's config.json is DeepseekV3ForCausalLM with model_type kimi_k2: same keys, same columns."""
    deepseek = model_row(DEEPSEEK_V3, name="a", source_url=LLAMA_URL, release_year=2025)
    kimi = model_row({**DEEPSEEK_V3, "model_type": "kimi_k2"}, name="b", source_url=LLAMA_URL, release_year=2025)
    assert {c: kimi[c] for c in ARCHITECTURE} == {c: deepseek[c] for c in ARCHITECTURE}
    assert kimi["kv_lora_rank"] == 512 and kimi["head_dim"] == 128 + 64


def test_cli_notes_and_last_verified(mlsys, registry, tmp_path):
    config = write_config(tmp_path, LLAMA_2_7B)
    args = ["catalog", "import", "--hf-config", config, "--name", "L2 (notes)", "--source-url", LLAMA_URL,
            "--release-year", 2023, "--registry", registry]
    res = mlsys(*args, "--notes", "Published: card 7B.", "--last-verified", "2026-11-30")
    assert res.exit_code == 0, res.stderr
    written = read_catalog("models", registry).filter(pl.col("name") == "L2 (notes)").row(0, named=True)
    assert written["notes"].endswith("Published: card 7B.") and written["notes"].startswith("imported from")
    assert written["last_verified"] == dt.date(2026, 11, 30)

    before = (registry / "models.parquet").read_bytes()
    res = mlsys(*args, "--last-verified", "30/11/2026")
    assert res.exit_code == 2 and "--last-verified" in res.stderr and "YYYY-MM-DD" in res.stderr
    assert (registry / "models.parquet").read_bytes() == before


def test_saved_configs_are_json_objects_with_a_model_type():
    files = sorted(CONFIGS.glob("*.json"))
    assert len(files) >= 18
    for f in files:
        assert isinstance(json.loads(f.read_text())["model_type"], str), f.name
