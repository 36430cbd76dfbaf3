"""Issue 13's remaining catalog rows (registry_data/research/r-reg): DeepSeek-V3.1, the Llama 4 text-decoder
counts, the GB300 NVL72 rack, and which rows' ``params_published`` is not a model card's figure."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.studies.sides import shaped_models
from pipeline.walls.architecture import MODEL_COLUMNS


@pytest.fixture(scope="module")
def models() -> pl.DataFrame:
    frame, _units = shaped_models(read_catalog("models"), ["model_type", "params_published", "params_active_per_token",
                                                             "notes", *MODEL_COLUMNS])
    return frame.rename({"model": "name"})


def _row(frame: pl.DataFrame, name: str) -> dict:
    return frame.filter(pl.col("name") == name).row(0, named=True)


def test_deepseek_v31_is_the_671b_37b_of_its_card(models):
    """Card: '#Total Params 671B, #Activated Params 37B' (MTP excluded, as the V3 row); the published
    active count includes the input embedding table (129,280 x 7,168), as for DeepSeek-V3 and R1."""
    row = _row(models, "DeepSeek-V3.1")
    assert row["params_published"] == 671e9
    assert row["params_computed"] == pytest.approx(671e9, rel=0.01)
    assert row["params_active_per_token"] + 129_280 * 7_168 == pytest.approx(37e9, rel=0.02)


def test_deepseek_v31_has_the_v3_architecture(models):
    """Card: 'The model structure of DeepSeek-V3.1 is the same as DeepSeek-V3'; DeepSeek's config_v3.1.json
    states the same dimensions as config_671B.json (dim 7168, 61 layers, 3 dense, 256 + 1 experts, top-8)."""
    catalog = read_catalog("models")
    v31, v3 = _row(catalog, "DeepSeek-V3.1"), _row(catalog, "DeepSeek-V3")
    for column in ("d_model", "n_layers", "n_heads", "ffn_dim", "vocab_size", "n_experts", "n_experts_per_token",
                   "n_shared_experts", "expert_ffn_dim", "n_dense_layers", "q_lora_rank", "kv_lora_rank",
                   "qk_rope_head_dim", "v_head_dim", "max_context_tokens"):
        assert v31[column] == v3[column], column
    assert _row(models, "DeepSeek-V3.1")["params_computed"] == _row(models, "DeepSeek-V3")["params_computed"]
    assert (v31["d_model"], v31["n_layers"], v31["n_dense_layers"], v31["n_experts"]) == (7168, 61, 3, 256)


def test_llama4_vision_part_by_hand():
    """Llama 4's vision encoder, adapter and projector, summed from the per-module listing printed for
    meta-llama/Llama-4-Scout-17B-16E (code-index id 41112263523): class embedding 1,408; positional
    embedding 812,416; patch embedding 827,904; LayerNorm pre/post 4 x 1,408; per layer (x 34) q/k/v/o
    weights 4 x 1,982,464 and biases 4 x 1,408, fc1 7,929,856 + 5,632, fc2 7,929,856 + 1,408, two
    LayerNorms 4 x 1,408; adapter fc1 23,068,672 and fc2 16,777,216; projector 20,971,520."""
    layer = 4 * 1_982_464 + 4 * 1_408 + 7_929_856 + 5_632 + 7_929_856 + 1_408 + 4 * 1_408
    total = 1_408 + 812_416 + 827_904 + 4 * 1_408 + 34 * layer + 23_068_672 + 16_777_216 + 20_971_520
    assert total == 871_932_416


@pytest.mark.parametrize(("name", "card"), [("Llama 4 Scout 17B-16E", 109e9), ("Llama 4 Maverick 17B-128E", 400e9)])
def test_llama4_text_decoder_is_the_card_less_the_vision_part(models, name, card):
    """The card's 109B / 400B count the multimodal model; the text decoder is compared with the card less
    the vision part (within 1 %), and decoder + vision part is within 0.5 % of the card's total."""
    row = _row(models, name)
    assert row["params_published"] == card - 871_932_416
    assert row["params_computed"] == pytest.approx(card - 871_932_416, rel=0.01)
    assert row["params_computed"] + 871_932_416 == pytest.approx(card, rel=0.005)
    assert "871,932,416" in row["notes"]


def test_every_transformer_is_within_1_percent_of_its_params_published(models):
    """Issue 13's acceptance bound (1 %), over every transformer row (the older test allows 2 %)."""
    off = models.filter(pl.col("model_type") != "cnn").with_columns(
        error=(pl.col("params_computed") / pl.col("params_published") - 1).abs()).filter(pl.col("error") > 0.01)
    assert off.height == 0, off.select("name", "params_published", "params_computed", "error").rows()


# Rows whose params_published is NOT the model card's figure, because the card rounds or states a nominal
# size: the card's figure and how far the config's count is from it. These four do not meet "within 1 % of
# the card" literally; what they carry instead is said in their notes and checked here.
CARD_NOT_MET = [
    ("Mistral Small 3 (24B, 2501)", 24e9, "checkpoint"),   # card "24B"; bf16 safetensors total_size / 2
    ("Mistral Nemo 12B", 12e9, "checkpoint"),              # card "12B"
    ("Phi-4 (14B)", 14e9, "checkpoint"),                   # card and report "14B" (nominal size)
    ("Kimi K2", 1e12, "released"),                         # card "1T total": one significant figure
]


@pytest.mark.parametrize(("name", "card", "kind"), CARD_NOT_MET)
def test_rows_whose_card_rounds_say_so(models, name, card, kind):
    row = _row(models, name)
    gap = row["params_computed"] / card - 1
    assert abs(gap) > 0.01, f"{name} is within 1 % of its card: move it to the card tests"
    assert abs(gap) < 0.05  # rounded or nominal, not another model
    assert row["params_published"] != card
    if kind == "checkpoint":
        assert row["params_computed"] == row["params_published"]
        assert "safetensors" in row["notes"] and "B / 2 B (bf16)" in row["notes"]  # checkpoint bytes / 2
    else:  # the released weights' logical count (r-reg13c): the config's plus the 60 x 384 router biases
        assert row["params_published"] - row["params_computed"] == 60 * 384 and "released weights" in row["notes"]


def test_gb300_nvl72_rack_cluster():
    """NVL72 AI Factory Enterprise RA: 72 Blackwell Ultra GPUs, 4 per tray, 4 ConnectX-8 per tray, NVLink
    130 TB/s aggregated; ConnectX-8 release notes: 800 Gb/s."""
    row = read_catalog("clusters").filter(pl.col("name").str.starts_with("NVIDIA GB300 NVL72 rack")).row(0, named=True)
    assert row["accelerator"] == "GB300 NVL72 GPU"
    assert row["nodes"] * row["accelerators_per_node"] == 72 == row["scaleup_domain_size"]
    assert row["nics_per_node"] == row["accelerators_per_node"]  # one ConnectX-8 per GPU
    assert row["nic_bandwidth_bits_per_s"] == 800e9
    gpu = read_catalog("hardware").filter(pl.col("name") == "GB300 NVL72 GPU").row(0, named=True)
    assert gpu["scaleup_domain_size"] == 72
    # 900 GB/s per direction x 2 directions x 72 GPUs = 129.6 TB/s, the RA's "130 TB/s"
    assert 2 * gpu["scaleup_link_bandwidth_bytes_per_s"] * 72 == pytest.approx(130e12, rel=0.005)
    assert row["source_quality"] == "primary" and row["source_url"].startswith("https://docs.nvidia.com/")


@pytest.mark.parametrize("name", ["A10G", "H20", "H800 SXM5 80GB"])
def test_rows_without_a_primary_source_stay_secondary_and_say_so(name):
    row = read_catalog("hardware").filter(pl.col("name") == name).row(0, named=True)
    assert row["source_quality"] == "secondary"
    assert "(r-reg)" in row["notes"]
