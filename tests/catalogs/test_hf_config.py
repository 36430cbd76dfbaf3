"""``mlsys catalog import --hf-config``: a models row from a local Hugging Face config.json.

The configs below are the published ones (keys that do not affect the architecture trimmed);
an imported row must reproduce the catalog's hand-entered row and its parameter count.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.hf_import import import_hf_config
from pipeline.catalogs.io import read_catalog
from pipeline.errors import InputError

# https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json
LLAMA_2_7B = {
    "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
    "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008,
    "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 32, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": None, "tie_word_embeddings": False, "torch_dtype": "float16",
    "transformers_version": "4.31.0.dev0", "use_cache": True, "vocab_size": 32000,
}
# https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
MIXTRAL_8X7B = {
    "architectures": ["MixtralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
    "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
    "max_position_embeddings": 32768, "model_type": "mixtral", "num_attention_heads": 32,
    "num_experts_per_tok": 2, "num_hidden_layers": 32, "num_key_value_heads": 8, "num_local_experts": 8,
    "output_router_logits": False, "rms_norm_eps": 1e-05, "rope_theta": 1e6, "router_aux_loss_coef": 0.02,
    "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.36.0.dev0", "use_cache": True, "vocab_size": 32000,
}
# https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json (quantization, rope scaling and
# routing keys trimmed): MLA, 3 dense layers, 58 MoE layers of 256 routed (top-8) + 1 shared expert
DEEPSEEK_V3 = {
    "architectures": ["DeepseekV3ForCausalLM"], "attention_bias": False, "first_k_dense_replace": 3,
    "hidden_act": "silu", "hidden_size": 7168, "intermediate_size": 18432, "kv_lora_rank": 512,
    "max_position_embeddings": 163840, "model_type": "deepseek_v3", "moe_intermediate_size": 2048,
    "moe_layer_freq": 1, "n_group": 8, "n_routed_experts": 256, "n_shared_experts": 1,
    "num_attention_heads": 128, "num_experts_per_tok": 8, "num_hidden_layers": 61,
    "num_key_value_heads": 128, "num_nextn_predict_layers": 1, "q_lora_rank": 1536,
    "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "rms_norm_eps": 1e-06, "tie_word_embeddings": False,
    "topk_group": 4, "v_head_dim": 128, "vocab_size": 129280,
}
# https://huggingface.co/openai-community/gpt2/blob/main/config.json
GPT2 = {
    "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "bos_token_id": 50256,
    "eos_token_id": 50256, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768,
    "n_head": 12, "n_layer": 12, "n_positions": 1024, "vocab_size": 50257,
}
# https://huggingface.co/Qwen/Qwen1.5-MoE-A2.7B/blob/main/config.json
QWEN15_MOE = {
    "architectures": ["Qwen2MoeForCausalLM"], "decoder_sparse_step": 1, "hidden_act": "silu",
    "hidden_size": 2048, "intermediate_size": 5632, "max_position_embeddings": 8192,
    "model_type": "qwen2_moe", "moe_intermediate_size": 1408, "num_attention_heads": 16, "num_experts": 60,
    "num_experts_per_tok": 4, "num_hidden_layers": 24, "num_key_value_heads": 16,
    "shared_expert_intermediate_size": 5632, "tie_word_embeddings": False, "vocab_size": 151936,
}

LLAMA_URL = "https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json"
ARCHITECTURE = [
    "model_type", "is_moe", "n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim",
    "is_gated_mlp", "vocab_size", "is_tied_embeddings", "max_context_tokens", "position_embedding",
    "has_linear_bias", "norm_type", "n_experts", "n_experts_per_token", "n_shared_experts",
    "expert_ffn_dim", "n_dense_layers", "q_lora_rank", "kv_lora_rank", "qk_rope_head_dim", "v_head_dim",
]


def write_config(directory: Path, config: dict, name: str = "config.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(config))
    return path


def flat(text: str) -> str:
    return " ".join(text.split())


def row(registry: Path, name: str) -> dict:
    return read_catalog("models", registry).filter(pl.col("name") == name).row(0, named=True)


@pytest.mark.parametrize("config, catalog_name, published", [
    (LLAMA_2_7B, "Llama 2 7B", 6_738_415_616),
    (MIXTRAL_8X7B, "Mixtral 8x7B", 46_702_792_704),
    (DEEPSEEK_V3, "DeepSeek-V3", 671_026_419_200),   # formula 671,026,404,352 (see the catalog's notes)
    (GPT2, "GPT-2 (124M)", 124_439_808),              # learned positions, biases, LayerNorm, tied
    (QWEN15_MOE, "Qwen1.5-MoE-A2.7B", 14_315_784_192),  # shared expert of 5632 = 4 experts of 1408
], ids=["llama2-7b", "mixtral-8x7b", "deepseek-v3", "gpt2", "qwen1.5-moe"])
def test_imported_row_reproduces_the_catalog_row(registry, tmp_path, config, catalog_name, published):
    path, imported = import_hf_config(write_config(tmp_path, config), name=f"{catalog_name} (HF)",
                                      source_url=LLAMA_URL, release_year=2024, params_published=published,
                                      registry=registry)
    assert path == registry / "models.parquet"
    written, catalog = row(registry, f"{catalog_name} (HF)"), row(registry, catalog_name)
    assert {c: written[c] for c in ARCHITECTURE} == {c: catalog[c] for c in ARCHITECTURE}
    assert written["params_published"] == published
    assert written["params_source_url"] == LLAMA_URL  # defaults to --source-url
    assert written["family"] == config["model_type"]
    assert "imported from HF config config.json" in written["notes"]
    assert imported["name"] == written["name"]


@pytest.mark.parametrize("config, computed", [(LLAMA_2_7B, 6_738_415_616), (MIXTRAL_8X7B, 46_702_792_704),
                                              (DEEPSEEK_V3, 671_026_404_352)])
def test_without_a_published_count_the_computed_count_is_recorded(registry, tmp_path, config, computed):
    import_hf_config(write_config(tmp_path, config), name="imported", source_url=LLAMA_URL,
                     release_year=2024, registry=registry)
    written = row(registry, "imported")
    assert written["params_published"] == computed
    assert "params_published = computed from config (no published count given)" in written["notes"]


def test_cli_import_adds_then_replaces_by_name(mlsys, registry, tmp_path):
    config = write_config(tmp_path, LLAMA_2_7B)
    before = read_catalog("models", registry)
    args = ["catalog", "import", "--hf-config", config, "--name", "Llama 2 7B (HF)", "--source-url", LLAMA_URL,
            "--release-year", 2023, "--registry", registry]
    res = mlsys(*args)
    assert res.exit_code == 0, res.stderr
    assert "6,738,415,616" in res.stdout
    assert read_catalog("models", registry).height == before.height + 1

    res = mlsys(*args, "--family", "llama2", "--params-published", 6_738_415_616,
                "--params-source-url", "https://huggingface.co/meta-llama/Llama-2-7b-hf")
    assert res.exit_code == 0, res.stderr
    after = read_catalog("models", registry)
    assert after.height == before.height + 1 and after["name"].to_list()[-1] == "Llama 2 7B (HF)"
    written = row(registry, "Llama 2 7B (HF)")
    assert written["family"] == "llama2"
    assert written["params_source_url"] == "https://huggingface.co/meta-llama/Llama-2-7b-hf"
    assert "no published count given" not in written["notes"]

    # replacing an existing catalog row keeps its place in the table
    res = mlsys(*args[:5], "Llama 2 7B", *args[6:])
    assert res.exit_code == 0, res.stderr
    replaced = read_catalog("models", registry)
    assert replaced["name"].to_list() == after["name"].to_list()
    assert "imported from HF config" in row(registry, "Llama 2 7B")["notes"]


def test_cli_import_into_a_new_registry_starts_from_the_bundled_models(mlsys, tmp_path):
    """tryout: the README's `--hf-config ... --registry my_registry/` into a folder that does not exist yet exited 2
    ("does not exist; expected a folder of catalog .parquet files") where `--csv` creates it."""
    new = tmp_path / "my_registry"
    res = mlsys("catalog", "import", "--hf-config", write_config(tmp_path, LLAMA_2_7B), "--name", "Llama 2 7B (HF)",
                "--source-url", LLAMA_URL, "--release-year", 2023, "--registry", new)
    assert res.exit_code == 0, res.stderr
    names = read_catalog("models", new)["name"].to_list()
    assert names[-1] == "Llama 2 7B (HF)" and names[:-1] == read_catalog("models")["name"].to_list()


def test_cli_rejects_a_published_count_3_percent_off_and_writes_nothing(mlsys, registry, tmp_path):
    before = (registry / "models.parquet").read_bytes()
    wrong = round(6_738_415_616 * 1.03)
    res = mlsys("catalog", "import", "--hf-config", write_config(tmp_path, LLAMA_2_7B), "--name", "Llama 2 7B",
                "--source-url", LLAMA_URL, "--release-year", 2023, "--params-published", wrong,
                "--registry", registry)
    assert res.exit_code == 2, res.stdout + res.stderr
    err = flat(res.stderr)
    assert f"{wrong:,}" in err and "6,738,415,616" in err and "params_published" in err
    assert "Traceback" not in res.stderr
    assert (registry / "models.parquet").read_bytes() == before


def test_cli_rejects_a_config_missing_hidden_size_naming_the_key(mlsys, registry, tmp_path):
    before = (registry / "models.parquet").read_bytes()
    config = {k: v for k, v in LLAMA_2_7B.items() if k != "hidden_size"}
    res = mlsys("catalog", "import", "--hf-config", write_config(tmp_path, config), "--name", "broken",
                "--source-url", LLAMA_URL, "--release-year", 2023, "--registry", registry)
    assert res.exit_code == 2, res.stdout + res.stderr
    assert "hidden_size" in res.stderr and "missing key" in res.stderr
    assert "Traceback" not in res.stderr
    assert (registry / "models.parquet").read_bytes() == before


def test_every_missing_key_and_an_unsupported_model_type_are_reported(registry, tmp_path):
    before = (registry / "models.parquet").read_bytes()
    config = {k: v for k, v in MIXTRAL_8X7B.items() if k not in ("num_local_experts", "vocab_size")}
    with pytest.raises(InputError) as exc:
        import_hf_config(write_config(tmp_path, config), name="x", source_url=LLAMA_URL, release_year=2024,
                         registry=registry)
    assert {p.column for p in exc.value.problems} == {"num_local_experts", "vocab_size"}
    with pytest.raises(InputError, match="model_type"):
        import_hf_config(write_config(tmp_path, {**LLAMA_2_7B, "model_type": "mamba"}), name="x",
                         source_url=LLAMA_URL, release_year=2024, registry=registry)
    assert (registry / "models.parquet").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    ([], "exactly one"),
    (["--csv", "models.csv", "--hf-config", "config.json"], "exactly one"),
    (["--hf-config", "config.json"], "--name"),
    (["--csv", "models.csv", "--name", "x"], "only with --hf-config"),
])
def test_cli_options_are_checked(mlsys, registry, tmp_path, args, message):
    write_config(tmp_path, LLAMA_2_7B)
    res = mlsys("catalog", "import", *args, "--registry", registry)
    assert res.exit_code == 2, res.stdout + res.stderr
    assert message in res.stderr


def test_imported_model_can_be_evaluated(registry, tmp_path):
    import_hf_config(write_config(tmp_path, LLAMA_2_7B), name="Llama 2 7B (HF)", source_url=LLAMA_URL,
                     release_year=2023, params_published=6_738_415_616, registry=registry)
    imported = pipeline.evaluate(model="Llama 2 7B (HF)", hardware="H100 SXM5 80GB", registry=registry)
    assert imported.height > 0
    reference = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", registry=registry)
    same = ["step", "params_computed", "latency_s", "memory_footprint_bytes"]
    assert imported.select(same).rows() == reference.select(same).rows()
