"""Issue 13 item 1 (models of famous published training runs): add or replace 17 `models` rows.

Run from the repository root (idempotent: rows of these names are replaced, every other row is kept):

    python registry_data/research/r-modelsrun/apply.py [--registry DIR]

The table is read and written with the package's own catalog I/O, so the whole table is validated
and nothing is written if a cell is wrong. Every figure's source is in the row's ``notes``.
"""
from __future__ import annotations

import argparse
import datetime as dt

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

VERIFIED = dt.date(2026, 12, 3)
NARAYANAN = "https://arxiv.org/abs/2104.04473"
SC21 = ("NVIDIA/Megatron-LM examples/sc21/run_table_1.sh (the paper's own Table 1 run script, read at "
        "commit 79a3bb6b: https://github.com/NVIDIA/Megatron-LM/blob/79a3bb6bf2c85b748c46749dd0695e23310d4e16/"
        "examples/sc21/run_table_1.sh)")
GPT_BLOCK = ("vocab 51,200 and sequence length 2048 for every Table 1 model (paper §5.1, as quoted in the "
             "Megatron-GPT 1T row); ffn_dim = 4 x hidden (Megatron default ffn_hidden_size); GPT-2-style block as "
             "in the Megatron-GPT 1T row: learned absolute positions, linear biases, 2 LayerNorms per layer, GELU "
             "MLP, input embedding tied to the output layer.")


def megatron(label: str, table_b: str, layers: int, hidden: int, heads: int) -> dict:
    """A Narayanan et al. 2021 Table 1 model: shapes from the run script, count from the paper's equation."""
    V, s = 51200, 2048
    count = 12 * layers * hidden ** 2 + 13 * layers * hidden + (V + s) * hidden  # = 12lh^2(1 + 13/12h + (V+s)/12lh)
    return dict(
        source_url=NARAYANAN, name=f"Megatron-GPT {label}", family="Megatron-GPT", release_year=2021,
        params_published=float(count), params_source_url=NARAYANAN,
        n_layers=layers, d_model=hidden, n_heads=heads, n_kv_heads=heads, head_dim=hidden // heads,
        ffn_dim=4 * hidden, is_gated_mlp=False, vocab_size=V, is_tied_embeddings=True, max_context_tokens=s,
        position_embedding="learned", has_linear_bias=True, norm_type="layernorm",
        notes=(f"Narayanan et al. 2021 (SC21, arXiv 2104.04473) Table 1 weak-scaling model '{label}' "
               f"(Table 1 prints {table_b} billion parameters). Shape from {SC21}, case MODEL_SIZE={label}: "
               f"NLS={layers} layers, HS={hidden} hidden, NAH={heads} heads; head_dim = {hidden}/{heads}. "
               f"{GPT_BLOCK} params_published = the paper's own parameter equation (§5.1) "
               f"P = 12 l h^2 (1 + 13/(12h) + (V+s)/(12 l h)) at this shape = {count:,} (Table 1 rounds it to "
               f"{table_b} B; the equation counts the tied embedding once, positions, biases and 2 LayerNorms per "
               "layer, i.e. what the package's formula counts, less the final LayerNorm). The Table 1 column itself "
               "was not readable in this session's search corpus; the printed values quoted here are the paper's "
               "(cross-checked: the equation reproduces 1008.0 for the 1T row and the script's size labels)."))


ROWS = [
    megatron("1.7B", "1.7", 24, 2304, 24),
    megatron("3.6B", "3.6", 30, 3072, 32),
    megatron("7.5B", "7.5", 36, 4096, 32),
    megatron("18B", "18.4", 40, 6144, 48),
    megatron("39B", "39.1", 48, 8192, 64),
    megatron("76B", "76.1", 60, 10240, 80),
    megatron("145B", "145.6", 80, 12288, 96),
    megatron("310B", "310.1", 96, 16384, 128),
    megatron("530B", "529.6", 105, 20480, 128),
    dict(
        source_url="https://arxiv.org/abs/2201.11990", name="Megatron-Turing NLG 530B", family="Megatron-GPT",
        release_year=2022, params_published=530e9, params_source_url="https://arxiv.org/abs/2201.11990",
        n_layers=105, d_model=20480, n_heads=128, n_kv_heads=128, head_dim=160, ffn_dim=81920, is_gated_mlp=False,
        vocab_size=51200, is_tied_embeddings=True, max_context_tokens=2048, position_embedding="learned",
        has_linear_bias=True, norm_type="layernorm",
        notes=("Smith et al. 2022 (arXiv 2201.11990) §3 / Microsoft-NVIDIA announcement: 530 billion parameters, "
               "105 layers, hidden 20480, 128 attention heads, sequence length 2048, GPT-2 BPE tokenizer. The same "
               "shape is the 530B case of NVIDIA/Megatron-LM examples/sc21/run_table_1.sh (NLS=105, HS=20480, NAH=128) "
               "and NVIDIA's 530B inference scripts (--num-layers 105 --hidden-size 20480 --num-attention-heads 128 "
               "--max-position-embeddings 2048 --tokenizer-type GPT2BPETokenizer). vocab 51,200: the 50,257 GPT-2 "
               "tokens padded by Megatron to a multiple of 128 x TP (TP 8 -> 1024), as in the Megatron-GPT 1T row; "
               "ffn 4 x hidden; learned positions, biases, LayerNorm, tied embedding (Megatron GPT defaults). "
               "Computed 529.6 B (-0.08 % vs the published 530 B; the paper gives no finer count).")),
    dict(
        source_url="https://arxiv.org/abs/2204.02311", name="PaLM 540B", family="palm", release_year=2022,
        params_published=540.35e9, params_source_url="https://arxiv.org/abs/2204.02311",
        n_layers=118, d_model=18432, n_heads=48, n_kv_heads=1, head_dim=256, ffn_dim=73728, is_gated_mlp=True,
        vocab_size=256000, is_tied_embeddings=True, max_context_tokens=2048, position_embedding="rope",
        has_linear_bias=False, norm_type="layernorm",
        notes=("Chowdhery et al. 2022 (arXiv 2204.02311) Table 1: 118 layers, 48 heads, d_model 18432, 540.35 B "
               "parameters; §2: d_ff = 4 x d_model = 73,728, head size 256 (so query width 48 x 256 = 12,288, not "
               "d_model), SwiGLU (three matrices -> is_gated_mlp), multi-query attention (one shared K/V head -> "
               "n_kv_heads = 1), RoPE, shared input-output embeddings, no biases in any dense kernel or layer norm, "
               "256k SentencePiece vocabulary (256,000: with it the package's count is 540.36 B, +0.002 %), sequence "
               "length 2048. Read via secondary summaries of the paper (emergentmind.com topic page, leonericsson "
               "blog, hugocisneros.com notes), which agree on every figure above. NOT expressible in the schema: "
               "parallel layers (y = x + MLP(LN(x)) + Attention(LN(x)): one LayerNorm per layer, and attention and "
               "MLP may overlap; the studies run them one after the other), LayerNorm without bias (the formula "
               "counts 2 LayerNorms with bias per layer: +3 x 18432 x 118 = 6.5 M, 0.001 %), z-loss.")),
    dict(
        source_url="https://arxiv.org/abs/2112.11446", name="Gopher 280B", family="gopher", release_year=2021,
        params_published=280e9, params_source_url="https://arxiv.org/abs/2112.11446",
        n_layers=80, d_model=16384, n_heads=128, n_kv_heads=128, head_dim=128, ffn_dim=65536, is_gated_mlp=False,
        vocab_size=32000, is_tied_embeddings=False, max_context_tokens=2048, position_embedding="relative",
        has_linear_bias=False, norm_type="rmsnorm",
        notes=("Rae et al. 2021 (arXiv 2112.11446) Table 1, Gopher row: 280 B parameters, 80 layers, 128 heads, "
               "key/value size 128, d_model 16384; feed-forward 4 x d_model. §2.1: RMSNorm instead of LayerNorm, "
               "relative positional encodings of Transformer-XL (Dai et al. 2019) -> position_embedding 'relative', "
               "SentencePiece vocabulary of 32,000, context 2048 (read via secondary summaries: emergentmind.com "
               "article page and leonericsson blog; layers and d_model also in public model tables, e.g. "
               "GOPHER num_layers=80 hidden_dim=16384). The relative scheme adds one d_model x (heads x head_dim) "
               "projection of the position encodings per layer (W_k,R): 80 x 16384^2 = 21.5 B, which is why a "
               "GPT-style count gives only 258 B; with it the package computes 280.22 B (+0.08 %). Not stated in "
               "the paper: linear biases (set false; true would add 17 M, 0.006 %) and tied embeddings (set false; "
               "tied would give 279.70 B, -0.11 %). The u, v bias vectors of Transformer-XL are not counted.")),
    dict(
        source_url="https://arxiv.org/abs/2205.01068", name="OPT-175B", family="opt", release_year=2022,
        params_published=175e9, params_source_url="https://arxiv.org/abs/2205.01068",
        n_layers=96, d_model=12288, n_heads=96, n_kv_heads=96, head_dim=128, ffn_dim=49152, is_gated_mlp=False,
        vocab_size=50272, is_tied_embeddings=True, max_context_tokens=2048, position_embedding="learned",
        has_linear_bias=True, norm_type="layernorm",
        notes=("Zhang et al. 2022 (arXiv 2205.01068) Table 1: OPT-175B 96 layers, 96 heads, embedding size 12288, "
               "175 B parameters. Same figures in Meta's training constants (facebookresearch/metaseq "
               "opt_job_constants.py MODEL_SIZES['175b'] = Size(96 layers, 12288, 96 heads, d_head 128), ffn_size "
               "4 x emb_size = 49,152). The 175B config.json is not public on the Hub; the released OPT configs "
               "(facebook/opt-6.7b etc., model_type opt) give vocab_size 50272, max_position_embeddings 2048, "
               "ReLU, pre-LayerNorm (do_layer_norm_before), enable_bias true; OPT ties the LM head to the input "
               "embedding. Learned positions: OPT's table has 2 extra offset rows (2050 x 12288), the formula "
               "counts 2048 (25 K fewer). Computed 174.60 B (-0.23 % vs 175 B, the paper's only figure).")),
    dict(
        source_url="https://huggingface.co/bigscience/bloom/blob/main/config.json", name="BLOOM-176B", family="bloom",
        release_year=2022, params_published=176_247_271_424.0,
        params_source_url="https://huggingface.co/bigscience/bloom/commit/0f24f9137e290a99b22e30a1af3f3b8b74f5fe66",
        n_layers=70, d_model=14336, n_heads=112, n_kv_heads=112, head_dim=128, ffn_dim=57344, is_gated_mlp=False,
        vocab_size=250880, is_tied_embeddings=True, max_context_tokens=2048, position_embedding="alibi",
        has_linear_bias=True, norm_type="layernorm",
        notes=("bigscience/bloom config.json (model_type bloom; read via the re-host joaoalvarenga/bloom-8bit, "
               "_name_or_path bigscience/bloom): n_layer 70, n_embed 14336, num_attention_heads 112, vocab_size "
               "250880; BLOOM ties the LM head to the word embeddings. Model card (commit 0f24f91 'Add exact param "
               "counts'): 176,247,271,424 parameters, 3,596,615,680 embedding parameters (= 250880 x 14336), 70 "
               "layers, 112 heads, hidden 14336, ALiBi positions, GeLU, sequence length 2048 used in training. "
               "ffn 4 x hidden (BLOOM's MLP is dense_h_to_4h). ALiBi adds no parameters. The package computes "
               "176,247,242,752: exactly the published count less the embedding LayerNorm after the word "
               "embeddings (2 x 14336 = 28,672), which the formula does not count.")),
    dict(
        source_url="https://huggingface.co/tiiuae/falcon-180B", name="Falcon-180B", family="falcon", release_year=2023,
        params_published=180e9, params_source_url="https://huggingface.co/tiiuae/falcon-180B",
        n_layers=80, d_model=14848, n_heads=232, n_kv_heads=8, head_dim=64, ffn_dim=59392, is_gated_mlp=False,
        vocab_size=65024, is_tied_embeddings=False, max_context_tokens=2048, position_embedding="rope",
        has_linear_bias=False, norm_type="layernorm",
        notes=("tiiuae/falcon-180B config.json (model_type falcon), read via re-hosts citing it (monology/largefalcon "
               "_name_or_path tiiuae/falcon-180B, TheBloke/Falcon-180B-GPTQ, TeeZee/falcon-180B-chat-AWQ): "
               "num_hidden_layers 80, hidden_size 14848, num_attention_heads 232, num_kv_heads 8, "
               "new_decoder_architecture true (parallel attention/MLP with 2 LayerNorms, ln_attn and ln_mlp), "
               "bias false, vocab_size 65024, max_position_embeddings 2048, RoPE (rope_theta 10000). ffn 59,392 = "
               "4 x hidden and the fused QKV width 15,872 = 14848 + 2 x 8 x 64 from the Ollama GGUF tensor table "
               "(falcon.feed_forward_length 59392, attn_qkv [14848, 15872], attn_norm and attn_norm_2 with bias). "
               "Published count: '180B parameters' (model card; Almazrouei et al. 2023, arXiv 2311.16867). "
               "Untied LM head as in the Falcon 40B row (lm_head stored separately); computed 179.52 B (-0.27 %); "
               "tied would give 178.56 B (-0.80 %). Parallel attention/MLP is not expressible (see PaLM 540B).")),
    dict(
        source_url="https://huggingface.co/mosaicml/mpt-7b", name="MPT-7B", family="mpt", release_year=2023,
        params_published=6.7e9, params_source_url="https://huggingface.co/mosaicml/mpt-7b",
        n_layers=32, d_model=4096, n_heads=32, n_kv_heads=32, head_dim=128, ffn_dim=16384, is_gated_mlp=False,
        vocab_size=50432, is_tied_embeddings=True, max_context_tokens=2048, position_embedding="alibi",
        has_linear_bias=False, norm_type="layernorm",
        notes=("mosaicml/mpt-7b config.json (model_type mpt), read via re-hosts citing it (OpenVINO/mpt-7b-fp16-ov "
               "and ybelkada/mpt-7b-bf16-sharded, _name_or_path mosaicml/mpt-7b): d_model 4096, n_heads 32, n_layers "
               "32, expansion_ratio 4 (ffn 16,384), max_seq_len 2048, vocab_size 50432, attn_config.alibi true, "
               "no_bias true, norm_type low_precision_layernorm; MPT reuses the token embedding as the output layer "
               "(tied). Published '6.7B' parameters (model card, read via the promptlayer.com transcription of its "
               "table). Computed 6.65 B (-0.75 %): the card rounds up; the formula also counts LayerNorm biases MPT "
               "does not have (no_bias: 2 x 4096 x 65 = 0.5 M).")),
    dict(
        source_url="https://huggingface.co/mosaicml/mpt-30b", name="MPT-30B", family="mpt", release_year=2023,
        params_published=30e9, params_source_url="https://huggingface.co/mosaicml/mpt-30b",
        n_layers=48, d_model=7168, n_heads=64, n_kv_heads=64, head_dim=112, ffn_dim=28672, is_gated_mlp=False,
        vocab_size=50432, is_tied_embeddings=True, max_context_tokens=8192, position_embedding="alibi",
        has_linear_bias=False, norm_type="layernorm",
        notes=("mosaicml/mpt-30b config.json family (model_type mpt; mosaicml/mpt-30b-chat config and re-hosts of "
               "mosaicml/mpt-30b-instruct): d_model 7168, n_heads 64, n_layers 48, expansion_ratio 4 (ffn 28,672), "
               "vocab_size 50432, alibi true, no_bias true, low_precision_layernorm, tied output layer. Context 8192: "
               "the base model card ('an 8k token context window') and the instruct config's max_seq_len 8192. "
               "Published count: 30 B, the model's name and card ('MPT-30B'); the card's finer figure was not read "
               "in this session. Computed 29.96 B (-0.14 %); LayerNorm biases counted but absent (0.7 M).")),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default=None, help="catalog directory (default: the bundled one)")
    args = parser.parse_args()
    existing = read_catalog("models", args.registry)
    names = [r["name"] for r in ROWS]
    new = pl.DataFrame([{"last_verified": VERIFIED, "model_type": "decoder", "is_moe": False,
                         "n_dense_layers": r["n_layers"], **r} for r in ROWS])
    new = new.with_columns([pl.lit(None).alias(c) for c in existing.columns if c not in new.columns])
    new = new.select(existing.columns).cast(existing.schema)
    table = pl.concat([existing.filter(~pl.col("name").is_in(names)), new])
    path = write_catalog(table, "models", args.registry, source="r-modelsrun/apply.py")
    print(f"{path}: {table.height} rows ({len(names)} added or replaced)")


if __name__ == "__main__":
    main()
