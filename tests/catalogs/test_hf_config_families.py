"""``--hf-config`` for the families with key names of their own: BLOOM, Falcon, MPT, OPT.

The configs are the published ones (keys that do not affect the architecture trimmed); the
expected counts are worked out by hand from the architecture, term by term.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from pipeline.catalogs.hf_config import architecture
from pipeline.catalogs.hf_import import count_params, import_hf_config
from pipeline.catalogs.io import read_catalog
from pipeline.errors import InputError

# https://huggingface.co/bigscience/bloom/blob/main/config.json (old key spellings n_embed, num_attention_heads)
BLOOM = {"architectures": ["BloomForCausalLM"], "model_type": "bloom", "n_embed": 14336, "n_layer": 70,
         "num_attention_heads": 112, "pretraining_tp": 4, "vocab_size": 250880, "layer_norm_epsilon": 1e-05}
# https://huggingface.co/tiiuae/falcon-180B/blob/main/config.json
FALCON_180B = {"alibi": False, "architectures": ["FalconForCausalLM"], "bias": False, "hidden_size": 14848,
               "max_position_embeddings": 2048, "model_type": "falcon", "multi_query": True,
               "new_decoder_architecture": True, "num_attention_heads": 232, "num_hidden_layers": 80,
               "num_kv_heads": 8, "parallel_attn": True, "rope_theta": 10000.0, "vocab_size": 65024}
# https://huggingface.co/mosaicml/mpt-7b/blob/main/config.json
MPT_7B = {"architectures": ["MPTForCausalLM"], "attn_config": {"alibi": True, "alibi_bias_max": 8,
          "attn_type": "multihead_attention", "clip_qkv": None, "qk_ln": False}, "d_model": 4096,
          "expansion_ratio": 4, "learned_pos_emb": True, "max_seq_len": 2048, "model_type": "mpt", "n_heads": 32,
          "n_layers": 32, "no_bias": True, "norm_type": "low_precision_layernorm", "vocab_size": 50432}
# https://huggingface.co/facebook/opt-6.7b/blob/main/config.json
OPT_6_7B = {"_remove_final_layer_norm": False, "activation_function": "relu", "architectures": ["OPTForCausalLM"],
            "do_layer_norm_before": True, "enable_bias": True, "ffn_dim": 16384, "hidden_size": 4096,
            "max_position_embeddings": 2048, "model_type": "opt", "num_attention_heads": 32,
            "num_hidden_layers": 32, "vocab_size": 50272, "word_embed_proj_dim": 4096}


def layer(d: int, kv: int, ffn: int, bias: bool) -> int:
    """One block by hand: Q and O (d x d), K and V (d x kv), a 2-matrix MLP, 2 LayerNorms (scale + bias)."""
    biases = (d + 2 * kv + d) + (ffn + d) if bias else 0
    return 2 * d * d + 2 * d * kv + 2 * d * ffn + biases + 4 * d


@pytest.mark.parametrize("config, computed", [
    # BLOOM-176B: the card's 176,247,271,424 less the word-embedding LayerNorm (2 x 14336)
    (BLOOM, 70 * layer(14336, 14336, 4 * 14336, True) + 250880 * 14336 + 2 * 14336),
    # Falcon-180B: 8 K/V heads of 64, no biases; no tie_word_embeddings key: transformers ties the head
    (FALCON_180B, 80 * layer(14848, 8 * 64, 4 * 14848, False) + 65024 * 14848 + 2 * 14848),
    # MPT-7B: ALiBi (no position table), no linear biases, tied head
    (MPT_7B, 32 * layer(4096, 4096, 4 * 4096, False) + 50432 * 4096 + 2 * 4096),
    # OPT-6.7B: learned positions (2048 rows), biases, tied head
    (OPT_6_7B, 32 * layer(4096, 4096, 16384, True) + (50272 + 2048) * 4096 + 2 * 4096),
], ids=["bloom", "falcon-180b", "mpt-7b", "opt-6.7b"])
def test_family_configs_count_by_hand(config, computed):
    assert count_params(architecture(config))[0] == computed


def test_bloom_176b_card_count_and_columns():
    assert count_params(architecture(BLOOM))[0] + 2 * 14336 == 176_247_271_424  # bigscience/bloom card
    cols = architecture(BLOOM)
    assert (cols["position_embedding"], cols["max_context_tokens"], cols["has_linear_bias"], cols["head_dim"]) == (
        "alibi", 2048, True, 128)


@pytest.mark.parametrize("name, config", [("BLOOM-176B", BLOOM), ("MPT-7B", MPT_7B)])
def test_import_reproduces_the_catalog_row(registry, tmp_path, name, config):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    import_hf_config(path, name=f"{name} (HF)", source_url="https://huggingface.co", release_year=2023,
                     registry=registry)
    models = read_catalog("models", registry)
    written, catalog = (models.filter(pl.col("name") == n).row(0, named=True) for n in (f"{name} (HF)", name))
    columns = ["n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "ffn_dim", "is_gated_mlp", "vocab_size",
               "is_tied_embeddings", "max_context_tokens", "position_embedding", "has_linear_bias", "norm_type"]
    assert {c: written[c] for c in columns} == {c: catalog[c] for c in columns}


def test_falcon_before_the_new_decoder_architecture_has_one_kv_head():
    old = {k: v for k, v in FALCON_180B.items() if k not in ("new_decoder_architecture", "num_kv_heads")}
    assert architecture(old)["n_kv_heads"] == 1  # multi_query (transformers FalconConfig default true)
    assert architecture({**old, "multi_query": False})["n_kv_heads"] == 232


def test_mpt_attention_variants():
    gqa = {**MPT_7B, "attn_config": {"alibi": False, "attn_type": "grouped_query_attention", "kv_n_heads": 8}}
    cols = architecture(gqa)
    assert (cols["n_kv_heads"], cols["position_embedding"], cols["has_linear_bias"]) == (8, "learned", False)
    mqa = {**MPT_7B, "attn_config": {"attn_type": "multiquery_attention"}, "learned_pos_emb": False, "no_bias": False}
    cols = architecture(mqa)
    assert (cols["n_kv_heads"], cols["position_embedding"], cols["has_linear_bias"]) == (1, "none", True)


def test_bad_family_configs_name_every_key():
    with pytest.raises(InputError) as exc:
        architecture({**MPT_7B, "attn_config": {"attn_type": "grouped_query_attention"}, "d_model": "4096"})
    assert {p.column for p in exc.value.problems} == {"attn_config.kv_n_heads", "d_model"}
    with pytest.raises(InputError) as exc:
        architecture({**MPT_7B, "attn_config": {"attn_type": "sliding"}})
    assert [p.column for p in exc.value.problems] == ["attn_config.attn_type"]
    with pytest.raises(InputError) as exc:  # OPT-350M projects 512-wide embeddings to 1024
        architecture({**OPT_6_7B, "word_embed_proj_dim": 512})
    assert [p.column for p in exc.value.problems] == ["word_embed_proj_dim"]
    with pytest.raises(InputError) as exc:
        architecture({k: v for k, v in BLOOM.items() if k != "n_embed"})
    assert [p.column for p in exc.value.problems] == ["n_embed"]
