"""Issue 13 item 2 (patterns): add or replace this folder's model rows and set the pattern columns.

Re-runnable and idempotent; touches only the rows named below (other rows, added by anyone, are kept
as they are). Replay on any checkout (the bundled registry, or ``--registry DIR``):

    .venv/bin/python registry_data/research/r-patterns/apply.py [--registry DIR]

New rows come from the config.json files of this folder through the package's importer
(``pipeline.catalogs.hf_import.model_row``: architecture, pattern columns and the parameter count from
the config, checked against the published count). Existing rows (Mistral 7B v0.1, Gemma 2 9B/27B) get
only their pattern columns and one sentence of notes. The efficiency profiles of vLLM and TensorRT-LLM get
window_kv_cache (whether the framework applies a model's window to its KV cache) and its source; other
profiles keep theirs. Sources: README.md of this folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.hf_config import load_config
from pipeline.catalogs.hf_import import model_row
from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
VERIFIED = dt.date(2026, 12, 3)
GEMMA3_REPORT = "https://arxiv.org/abs/2503.19786"
GPT_OSS_CARD = "https://arxiv.org/abs/2508.10925"
LLAMA4_CARD = "https://github.com/meta-llama/llama-models/blob/main/models/llama4/MODEL_CARD.md"

# file, name, family, release year, config source, published count, its source, what the count is
NEW = [
    ("gemma-3-4b.json", "Gemma 3 4B", "gemma3", 2025, "https://huggingface.co/google/gemma-3-4b-it/blob/main/config.json",
     3_884_000_000, GEMMA3_REPORT, "Gemma 3 report Table 1: 675M embedding + 3,209M non-embedding (text decoder; "
     "the 417M SigLIP vision encoder excluded)"),
    ("gemma-3-12b.json", "Gemma 3 12B", "gemma3", 2025, "https://huggingface.co/google/gemma-3-12b-it/blob/main/config.json",
     11_771_000_000, GEMMA3_REPORT, "Gemma 3 report Table 1: 1,012M embedding + 10,759M non-embedding (text decoder; "
     "the 417M vision encoder excluded)"),
    ("gemma-3-27b.json", "Gemma 3 27B", "gemma3", 2025, "https://huggingface.co/google/gemma-3-27b-it/blob/main/config.json",
     27_016_000_000, GEMMA3_REPORT, "Gemma 3 report Table 1: 1,416M embedding + 25,600M non-embedding (text decoder; "
     "the 417M vision encoder excluded)"),
    ("gpt-oss-20b.json", "GPT-OSS 20B", "gpt-oss", 2025, "https://huggingface.co/openai/gpt-oss-20b/blob/main/config.json",
     20_910_000_000, GPT_OSS_CARD, "gpt-oss model card Table 1 total parameters 20.91B (text-only model; "
     "active 3.61B)"),
    ("gpt-oss-120b.json", "GPT-OSS 120B", "gpt-oss", 2025,
     "https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json",
     116_830_000_000, GPT_OSS_CARD, "gpt-oss model card Table 1 total parameters 116.83B (text-only model; "
     "active 5.13B)"),
    ("llama-4-scout-17b-16e.json", "Llama 4 Scout 17B-16E", "llama4", 2025,
     "https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E/blob/main/config.json",
     109_000_000_000, LLAMA4_CARD, "Llama 4 model card: 109B total (17B active) for the natively multimodal "
     "model"),
    ("llama-4-maverick-17b-128e.json", "Llama 4 Maverick 17B-128E", "llama4", 2025,
     "https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E/blob/main/config.json",
     400_000_000_000, LLAMA4_CARD, "Llama 4 model card: 400B total (17B active) for the multimodal model"),
]

# existing rows: name -> (pattern columns, sentence added to notes)
EXISTING = {
    "Mistral 7B v0.1": ({"sliding_window_tokens": 4096, "sliding_window_layers": None},
                        "Pattern: sliding window 4096 on every layer (config.json sliding_window; "
                        "Jiang et al. 2023 §2)."),
    "Gemma 2 9B": ({"sliding_window_tokens": 4096, "sliding_window_layers": 21},
                   "Pattern: local (window 4096) and global layers alternate, 21 of 42 local "
                   "(google/gemma_pytorch gemma/config.py get_config_for_9b attn_types)."),
    "Gemma 2 27B": ({"sliding_window_tokens": 4096, "sliding_window_layers": 23},
                    "Pattern: local (window 4096) and global layers alternate, 23 of 46 local "
                    "(google/gemma_pytorch gemma/config.py get_config_for_27b attn_types)."),
}


# efficiency_profiles: does the framework apply a model's sliding window to its KV cache (window_kv_cache)?
WINDOW_KV = {
    "vLLM": (True, "https://docs.vllm.ai/en/latest/design/hybrid_kv_cache_manager/"),
    "TensorRT-LLM": (False, "https://github.com/NVIDIA/TensorRT-LLM/blob/v0.17.0/examples/llama/README.md"),
}


# Where the Llama 4 vision_config (the same for Scout and Maverick) was read: the Llama4Config printed for
# meta-llama/Llama-4-Scout-17B-16E with a per-module parameter listing (code-index id 41112263523), and a
# TensorRT-LLM-backend test that asserts this vision_config for both Llama 4 checkpoints (id 68383952491).
LLAMA4_VISION_READ = ("vision_config read in the Llama4Config printed for meta-llama/Llama-4-Scout-17B-16E with its "
                      "per-module parameter listing (code-index id 41112263523) and in a test asserting the same "
                      "vision_config for both Llama 4 checkpoints (id 68383952491)")


def llama4_vision_params(config: dict) -> int:
    """Parameters of Llama 4's vision encoder, pixel-shuffle adapter and projector from ``vision_config``
    (transformers ``Llama4VisionModel`` and ``Llama4MultiModalProjector``; each shape below is a line of
    the per-module listing cited in LLAMA4_VISION_READ): class token h; positional embedding
    ((image/patch)^2 + 1) x h; patch embedding (no bias) channels x patch^2 x h; LayerNorm pre and post
    (weight and bias); per layer q, k, v, o with bias 4 (h^2 + h), GELU MLP fc1 h x inter + inter and fc2
    inter x h + h, two LayerNorms 4 h; adapter fc1 (h / ratio^2) x proj_in and fc2 proj_in x proj_out (no
    bias); projector vision_output_dim x text hidden (no bias)."""
    v, text = config["vision_config"], config["text_config"]
    h, inter, patch = v["hidden_size"], v["intermediate_size"], v["patch_size"]
    layer = 4 * (h * h + h) + (h * inter + inter) + (inter * h + h) + 4 * h
    shuffled = round(h / v["pixel_shuffle_ratio"] ** 2)
    return (h + ((v["image_size"] // patch) ** 2 + 1) * h + v["num_channels"] * patch * patch * h + 4 * h
            + v["num_hidden_layers"] * layer
            + shuffled * v["projector_input_dim"] + v["projector_input_dim"] * v["projector_output_dim"]
            + v["vision_output_dim"] * text["hidden_size"])


def new_rows() -> list[dict]:
    rows = []
    for file, name, family, year, url, published, published_url, which in NEW:
        config = load_config(HERE / file)
        if "vision_config" in config:  # the card counts the whole multimodal model: compare the text decoder
            vision = llama4_vision_params(config)
            which = (f"{which}; text decoder = {published:,} - {vision:,} (vision encoder, adapter and projector "
                     f"computed from vision_config; {LLAMA4_VISION_READ}) = {published - vision:,}, the "
                     "params_published here; with the vision part the config's whole model is within 0.4 % of "
                     "the card's total")
            published -= vision
        row = model_row(config, name=name, source_url=url, release_year=year,
                        params_published=published, params_source_url=published_url, family=family,
                        file_name=f"registry_data/research/r-patterns/{file}")
        row["last_verified"] = VERIFIED
        row["notes"] = f"{row['notes']} Published count: {which}."
        rows.append(row)
    return rows


def apply(registry: str | Path | None = None) -> Path:
    table = read_catalog("models", registry)
    rows = pl.DataFrame(new_rows(), schema=table.schema).select(table.columns)
    names = rows["name"].to_list()
    kept = table.filter(~pl.col("name").is_in(names))
    replaced = table.filter(pl.col("name").is_in(names))
    # a row that exists keeps its place; new rows go at the end in NEW's order
    order = {n: i for i, n in enumerate(table["name"].to_list())}
    table = pl.concat([kept, rows]).with_columns(
        pl.col("name").replace_strict(order, default=None, return_dtype=pl.Int64).alias("_at"),
        pl.int_range(pl.len()).alias("_i")).sort(pl.col("_at").fill_null(len(order)), "_i").drop("_at", "_i")
    assert replaced.height + kept.height == len(order)
    for name, (columns, sentence) in EXISTING.items():
        if name not in table["name"].to_list():
            raise SystemExit(f"models: no row {name!r} to set the pattern columns of")
        this = pl.col("name") == name
        table = table.with_columns(
            *[pl.when(this).then(pl.lit(v, pl.Int64)).otherwise(pl.col(c)).alias(c) for c, v in columns.items()],
            pl.when(this & ~pl.col("notes").fill_null("").str.contains(sentence, literal=True))
            .then(pl.concat_str([pl.col("notes").fill_null(""), pl.lit(" " + sentence)]).str.strip_chars())
            .otherwise(pl.col("notes")).alias("notes"))
    path = write_catalog(table, "models", registry)
    profiles = read_catalog("efficiency_profiles", registry)
    for framework, (applied, url) in WINDOW_KV.items():
        this = pl.col("framework") == framework
        profiles = profiles.with_columns(
            pl.when(this).then(pl.lit(applied)).otherwise(pl.col("window_kv_cache")).alias("window_kv_cache"),
            pl.when(this).then(pl.lit(url)).otherwise(pl.col("window_kv_source_url")).alias("window_kv_source_url"))
    write_catalog(profiles, "efficiency_profiles", registry)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=None, help="registry directory (default: the bundled one)")
    print(apply(parser.parse_args().registry))
