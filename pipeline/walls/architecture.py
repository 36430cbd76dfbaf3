"""Per-model columns derived from the architecture: parameter counts and KV-cache width.

These run on the (small) models frame, before the cross join. CNN rows take their
published parameter count; transformer rows are counted layer by layer so the
catalog can be checked against the published count (the tests demand 2%).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, where
from pipeline.walls.quantities import PARAM, TOKEN


def _mlp(d_model: UExpr, width: UExpr, is_gated_mlp: Plain, has_linear_bias: Plain) -> UExpr:
    """Dense MLP weights: gate, up and down for gated (SwiGLU) MLPs, up and down otherwise."""
    matrices = where(is_gated_mlp, 3.0, 2.0)
    bias = where(has_linear_bias, (matrices - 1.0) * width + d_model, 0.0)  # one per output
    return matrices * d_model * width + bias


@column
def query_dim(n_heads: UExpr, head_dim: UExpr) -> UExpr:
    return n_heads * head_dim


@column
def value_dim(n_heads: UExpr, head_dim: UExpr, v_head_dim: UExpr) -> UExpr:
    """n_heads x value head width (MLA models have a narrower value head than query/key)."""
    return n_heads * v_head_dim.fill_null(head_dim)


@column
def is_mla(kv_lora_rank: UExpr) -> Plain:
    return kv_lora_rank.is_not_null()


@column
def attention_params_per_layer(
    d_model: UExpr, n_heads: UExpr, n_kv_heads: UExpr, head_dim: UExpr, query_dim: UExpr,
    has_linear_bias: Plain, is_mla: Plain, q_lora_rank: UExpr, kv_lora_rank: UExpr,
    qk_rope_head_dim: UExpr, v_head_dim: UExpr, position_embedding: Plain,
) -> UExpr:
    """Q, K, V and O projections. GQA: K and V have n_kv_heads heads (Ainslie et al. 2023).

    MLA (DeepSeek-V2/V3, arXiv:2405.04434 eq. 9-14): low-rank query and joint KV
    compression plus a decoupled RoPE key, with the two latent RMSNorms.
    Relative positions (Transformer-XL, Dai et al. 2019, arXiv:1901.02860 §3.3): each layer
    also projects the sinusoid encodings R to keys, W_k,R of d_model x (heads x head_dim);
    the two bias vectors u, v (2 x query_dim) are left out.
    """
    kv_dim = n_kv_heads * head_dim
    standard = 2.0 * d_model * query_dim + 2.0 * d_model * kv_dim + where(
        has_linear_bias, query_dim + 2.0 * kv_dim + d_model, 0.0) + where(
        position_embedding == "relative", d_model * query_dim, 0.0)
    q_lora = q_lora_rank.fill_null(0.0)
    q_part = where(q_lora_rank.is_null(), d_model * query_dim,
                   d_model * q_lora + q_lora * query_dim + q_lora)
    kv_part = (d_model * (kv_lora_rank + qk_rope_head_dim)
               + kv_lora_rank * n_heads * (head_dim - qk_rope_head_dim + v_head_dim) + kv_lora_rank)
    mla = q_part + kv_part + n_heads * v_head_dim * d_model
    return where(is_mla, mla, standard) * PARAM


@column
def norm_params_per_layer(d_model: UExpr, norm_type: Plain) -> UExpr:
    """Two norms per block; LayerNorm has a scale and a bias, RMSNorm a scale only."""
    return 2.0 * d_model * where(norm_type == "layernorm", 2.0, 1.0) * PARAM


@column
def dense_mlp_params_per_layer(d_model: UExpr, ffn_dim: UExpr, is_gated_mlp: Plain,
                               has_linear_bias: Plain) -> UExpr:
    return _mlp(d_model, ffn_dim, is_gated_mlp, has_linear_bias) * PARAM


@column
def expert_params_each(d_model: UExpr, expert_ffn_dim: UExpr, is_gated_mlp: Plain,
                       has_linear_bias: Plain) -> UExpr:
    """Weights of one expert MLP (routed or shared)."""
    return _mlp(d_model, expert_ffn_dim.fill_null(0.0), is_gated_mlp, has_linear_bias) * PARAM


@column
def router_params_per_layer(d_model: UExpr, n_experts: UExpr) -> UExpr:
    return d_model * n_experts.fill_null(0.0) * PARAM


@column
def moe_layers(n_layers: UExpr, n_dense_layers: UExpr, moe_layer_interval: UExpr) -> UExpr:
    """Layers with routed experts: every k-th with an interval (Llama 4's interleave_moe_layer_step,
    HF transformers Llama4TextConfig: moe_layers = range(k - 1, L, k), floor(L / k) of them), else all
    but the dense ones."""
    interleaved = (n_layers / moe_layer_interval).floor()
    return where(moe_layer_interval.is_null(), n_layers - n_dense_layers, interleaved)


@column
def dense_layers(n_layers: UExpr, moe_layers: UExpr) -> UExpr:
    """Layers with a dense MLP: all but the MoE layers."""
    return n_layers - moe_layers


@column
def routed_expert_params(moe_layers: UExpr, n_experts: UExpr, expert_params_each: UExpr) -> UExpr:
    """All routed experts of all MoE layers: resident in memory, only partly read per step."""
    return moe_layers * n_experts.fill_null(0.0) * expert_params_each


@column
def layer_params_dense_part(
    n_layers: UExpr, dense_layers: UExpr, moe_layers: UExpr, attention_params_per_layer: UExpr,
    norm_params_per_layer: UExpr, dense_mlp_params_per_layer: UExpr, n_shared_experts: UExpr,
    expert_params_each: UExpr, router_params_per_layer: UExpr,
) -> UExpr:
    """Block weights every token uses: attention, norms, dense MLPs, shared experts, routers."""
    return (n_layers * (attention_params_per_layer + norm_params_per_layer)
            + dense_layers * dense_mlp_params_per_layer
            + moe_layers * (n_shared_experts.fill_null(0.0) * expert_params_each
                            + router_params_per_layer))


@column
def embedding_params(vocab_size: UExpr, d_model: UExpr, max_context_tokens: UExpr,
                     position_embedding: Plain) -> UExpr:
    """Token embeddings, plus learned position embeddings (GPT-2, BERT) where present."""
    positions = where(position_embedding == "learned", max_context_tokens / TOKEN, 0.0)
    return (vocab_size + positions) * d_model * PARAM


@column
def lm_head_params(vocab_size: UExpr, d_model: UExpr) -> UExpr:
    """The output projection's matrix (read and multiplied even when tied to the embedding)."""
    return vocab_size * d_model * PARAM


@column
def final_norm_params(d_model: UExpr, norm_type: Plain) -> UExpr:
    return d_model * where(norm_type == "layernorm", 2.0, 1.0) * PARAM


@column
def params_computed(
    model_type: Plain, params_published: UExpr, layer_params_dense_part: UExpr,
    routed_expert_params: UExpr, embedding_params: UExpr, lm_head_params: UExpr,
    is_tied_embeddings: Plain, final_norm_params: UExpr,
) -> UExpr:
    """Total weights. CNNs: the published count (their FLOPs come from the catalog too)."""
    transformer = (layer_params_dense_part + routed_expert_params + embedding_params
                   + where(is_tied_embeddings, 0.0, lm_head_params) + final_norm_params)
    return where(model_type == "cnn", params_published, transformer)


@column
def params_active_per_token(
    model_type: Plain, params_computed: UExpr, layer_params_dense_part: UExpr, moe_layers: UExpr,
    n_experts_per_token: UExpr, expert_params_each: UExpr, lm_head_params: UExpr,
) -> UExpr:
    """Block weights one token multiplies (experts_per_token of the routed experts) plus the LM head."""
    routed = moe_layers * n_experts_per_token.fill_null(0.0) * expert_params_each
    return where(model_type == "cnn", params_computed,
                 layer_params_dense_part + routed + lm_head_params)


MODEL_COLUMNS = [  # what the studies read from a model's architecture
    "query_dim", "value_dim", "params_computed", "lm_head_params", "is_mla", "attention_params_per_layer",
    "dense_mlp_params_per_layer", "expert_params_each", "router_params_per_layer",
]
