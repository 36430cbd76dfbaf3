"""Operators of a transformer layer: FLOPs and bytes moved, per device, one implementation
for every study (the node study at tp = pp = 1, the serving study per layout).

Per layer, five operators: the QKV projection, attention over the context (reading the
K/V of ``kv_read_tokens`` per sequence and appending the step's), the output
projection, the MLP (MoE: the routed experts some token picks, Fedus et al. 2022), and
the norms with residual adds; the LM head runs once per pass on the ``logit_tokens``.
Bytes are split into weights, KV cache and activations, so a study can report each
kind of traffic; an operator's bytes are their sum.

A phase ``p`` (prefill, decode, step) supplies ``{p}_tokens`` (through the weights),
``{p}_sequences``, ``{p}_attention_pairs`` (query-key pairs per sequence and layer),
``{p}_kv_read_tokens`` and ``{p}_logit_tokens``; ``operator_work(p)`` registers the rest.
Tensor parallelism shards heads and MLP width over ``tp`` devices; KV heads are
replicated when tp exceeds them (Megatron-LM, Shoeybi et al. 2019, §3).
"""

from __future__ import annotations

from pipeline.formulas import column, define
from pipeline.units import Plain, UExpr, lit, maximum, total, where
from pipeline.walls.quantities import ELEM_PER_PARAM, ELEM_PER_TOKEN, PARAM, TOKEN

FLOP_PER_PARAM_TOKEN = lit(2.0, "FLOP/param/tok")  # one multiply-accumulate per weight per token
FLOP_PER_MAC = lit(2.0, "FLOP")
# Two RMS/LayerNorms (~4 FLOP per element) and two residual adds (1 FLOP per element)
# per block; bytes: each norm reads and writes the hidden state, each add reads two, writes one.
OTHER_FLOP_PER_ELEMENT = lit(10.0, "FLOP/elem")
OTHER_ELEMENT_TRIPS = 10.0
OPERATORS = ("qkv_proj", "attention", "o_proj", "mlp", "norms")
GEMM_OPERATORS = ("qkv_proj", "o_proj", "mlp", "lm_head")  # their GEMM shapes and η: pipeline.walls.operator_shapes
# Kernels each operator runs in a decoder layer (vLLM's and TensorRT-LLM's Llama layer: the QKV
# GEMM; rotary embedding with the KV-cache write, then attention; the O GEMM; the fused gate/up
# GEMM, SiLU-and-mul, the down GEMM; the input and post-attention RMSNorms, each with the residual
# add fused in: vLLM's ``fused_add_rms_norm`` (vllm/_custom_ops.py), TensorRT-LLM's RmsNorm with a
# residual input; the LM head's GEMM once per pass): 9 per layer. The software section's 11 launches
# per layer count the two residual adds as kernels of their own (unfused).
OPERATOR_KERNELS = {"qkv_proj": 1.0, "attention": 2.0, "o_proj": 1.0, "mlp": 3.0, "norms": 2.0, "lm_head": 1.0}


def per_pass(n_layers: UExpr, per_layer: list[UExpr], head: UExpr) -> UExpr:
    """A quantity of one pass: the layer operators' sum x layers, plus the LM head's."""
    return n_layers * total(*per_layer) + head


# -- the layout: what one device holds ----------------------------------------------------

@column
def layers_per_stage(n_layers: UExpr, pp: UExpr) -> UExpr:
    return (n_layers / pp).ceil()


@column
def pipeline_end_params_per_device(embedding_params: UExpr, lm_head_params: UExpr, final_norm_params: UExpr,
                                   is_tied_embeddings: Plain, tp: UExpr, pp: UExpr) -> UExpr:
    """Weights outside the layers on the fullest device, every study's one convention. One stage
    holds the embedding, the LM head (none of its own when tied to the embedding) and the final
    norm. With pp > 1 the first stage holds the embedding and the last stage the LM head and final
    norm, the larger end counting; a tied embedding is duplicated on the last stage as its LM head
    (Megatron-LM, megatron/core/models/common/language_module/language_module.py: "Create a
    second copy of word_embeddings on the last stage", its gradients all-reduced with the first
    stage's; vLLM's Llama with PP also builds lm_head on the last rank). Matrices are sharded over
    tp; the final norm is replicated on every TP rank."""
    single = embedding_params + where(is_tied_embeddings, 0.0, lm_head_params) + final_norm_params * tp
    ends = where(pp > 1, maximum(embedding_params, lm_head_params + final_norm_params * tp), single)
    return ends / tp


@column
def kv_heads_per_device(n_kv_heads: UExpr, tp: UExpr) -> UExpr:
    """ceil(H_kv / tp): with tp > H_kv each device keeps a replica of a KV head."""
    return (n_kv_heads / tp).ceil()


@column
def decode_kv_reads(kv_read_per_query_head: Plain, is_mla: Plain, n_heads: UExpr, tp: UExpr,
                    kv_heads_per_device: UExpr) -> UExpr:
    """Times a decode step streams each cached K/V head: once, shared by the query heads of its GQA group (XQA,
    FlashInfer, FlashAttention); with ``serving.kv_read_per_query_head``, once per query head it serves,
    ceil(H / tp) / ceil(H_kv / tp): TensorRT-LLM 0.6.1's masked MHA launches one CTA per query head and sequence,
    each loading the cache of head hi / (H / H_kv) (decoderMaskedMultiheadAttentionLaunch.h, ``grid{num_heads,
    batch_size, 1}``; decoderMaskedMultiheadAttentionTemplate.h L1383-1386 at 8dd9c914, version 0.6.1; XQA, which
    loads it once per group, from 0.7.0). MLA's latent is one shared head: once."""
    per_query_head = (n_heads / tp).ceil() / kv_heads_per_device
    return where(kv_read_per_query_head & ~is_mla, per_query_head, 1.0)


@column
def kv_elements_per_token_per_layer_per_device(is_mla: Plain, kv_heads_per_device: UExpr, head_dim: UExpr,
                                                kv_lora_rank: UExpr, qk_rope_head_dim: UExpr) -> UExpr:
    """K and V of the device's heads; MLA keeps its whole latent on every TP rank."""
    standard = 2.0 * kv_heads_per_device * head_dim
    return where(is_mla, kv_lora_rank + qk_rope_head_dim, standard) * ELEM_PER_TOKEN


@column
def qkv_params_per_device(is_mla: Plain, d_model: UExpr, query_dim: UExpr, tp: UExpr,
                          kv_heads_per_device: UExpr, head_dim: UExpr, has_linear_bias: Plain,
                          attention_params_per_layer: UExpr, value_dim: UExpr, weight_density: UExpr) -> UExpr:
    """Q, K, V projection weights on one device (MLA: everything but the output projection / tp),
    x the weight density left by structured pruning (wall 13; 1 unpruned)."""
    q_and_kv = query_dim / tp + 2.0 * kv_heads_per_device * head_dim
    standard = (d_model * q_and_kv + where(has_linear_bias, q_and_kv, 0.0)) * PARAM
    mla = (attention_params_per_layer - value_dim * d_model * PARAM) / tp
    return where(is_mla, mla, standard) * weight_density


@column
def o_params_per_device(value_dim: UExpr, d_model: UExpr, tp: UExpr, weight_density: UExpr) -> UExpr:
    return value_dim / tp * d_model * PARAM * weight_density


@column
def dense_layer_share(dense_layers: UExpr, n_layers: UExpr) -> UExpr:
    """Share of layers with a dense MLP (``architecture.dense_layers``: MoE interval or n_dense_layers)."""
    return dense_layers / n_layers


@column
def mlp_params_per_token_per_device(dense_layer_share: UExpr, dense_mlp_params_per_layer: UExpr,
                                    n_experts_per_token: UExpr, n_shared_experts: UExpr,
                                    expert_params_each: UExpr, router_params_per_layer: UExpr, tp: UExpr,
                                    weight_density: UExpr) -> UExpr:
    """MLP weights one token multiplies, per layer on one device (layer-averaged dense/MoE)."""
    moe = ((n_experts_per_token.fill_null(0.0) + n_shared_experts.fill_null(0.0)) * expert_params_each / tp
           + router_params_per_layer)
    return (dense_layer_share * dense_mlp_params_per_layer / tp + (1.0 - dense_layer_share) * moe) * weight_density


@column
def mlp_width_per_device(dense_layer_share: UExpr, ffn_dim: UExpr, n_experts_per_token: UExpr,
                         n_shared_experts: UExpr, expert_ffn_dim: UExpr, tp: UExpr) -> UExpr:
    """Intermediate activations per token on one device (written by up/gate, read by down)."""
    experts = (n_experts_per_token.fill_null(0.0) + n_shared_experts.fill_null(0.0)) * expert_ffn_dim.fill_null(0.0)
    return (dense_layer_share * ffn_dim + (1.0 - dense_layer_share) * experts) / tp * ELEM_PER_TOKEN


@column
def lm_head_params_per_device(lm_head_params: UExpr, tp: UExpr) -> UExpr:
    return lm_head_params / tp


@column
def weight_bytes_per_param(weight_bytes_per_element: UExpr) -> UExpr:
    return weight_bytes_per_element * ELEM_PER_PARAM


@column
def end_weight_bytes_per_param(weight_bytes_per_param: UExpr) -> UExpr:
    """The embedding and the LM head stay in the model's 16-bit dtype when the decoder's weights are
    quantized to 8 bits or fewer: vLLM's FP8 W8A8 quantizes "all Linear modules (except for the final
    lm_head)" (https://docs.vllm.ai/en/v0.5.4/quantization/fp8.html), and NVIDIA ModelOpt checkpoints
    (TensorRT-LLM's) list "exclude_modules": ["lm_head", "model.embed_tokens"] in hf_quant_config.json
    (e.g. https://huggingface.co/tencent/Hunyuan-1.8B-Instruct-FP8/blob/03c586476d0207cc76f633edba83c183b9b2241c/
    hf_quant_config.json), AMD Quark's FP8 Llama 3.1 quantizes "All linear layers excluding lm_head"
    (https://huggingface.co/amd/Llama-3.1-8B-Instruct-FP8-KV, README at eaf56285): at least 2 B per parameter."""
    return maximum(weight_bytes_per_param, lit(2.0, "B/param"))


@column
def kv_bytes_per_token_per_device(kv_elements_per_token_per_layer_per_device: UExpr, layers_per_stage: UExpr,
                                  kv_bytes_per_element: UExpr) -> UExpr:
    return kv_elements_per_token_per_layer_per_device * layers_per_stage * kv_bytes_per_element


def _routed_fraction(n_experts: UExpr, n_experts_per_token: UExpr, tokens: UExpr) -> UExpr:
    """Expected share of routed experts hit by at least one of the step's tokens, 1 - (1 - k/E)^tokens."""
    k_over_e = (n_experts_per_token / n_experts).fill_null(0.0)
    miss = (1.0 - k_over_e).power(tokens / TOKEN)
    return (1.0 - miss).fill_null(0.0)


# -- the operators -------------------------------------------------------------------------

def operator_work(p: str) -> None:
    """Register ``{p}_{op}_flop``, the weights an operator reads (``_weight_params``), the
    activation and K/V elements it moves (``_activation_elements``, ``_kv_elements``), each
    in bytes (``_weight_bytes``, ...) and their sum ``{p}_{op}_bytes``, for the five layer
    operators and the LM head of phase ``p``."""
    tokens, seqs, logits = f"{p}_tokens", f"{p}_sequences", f"{p}_logit_tokens"

    define(f"{p}_routed_fraction", ["n_experts", "n_experts_per_token", tokens], _routed_fraction)

    def matmul_flop(params, t):
        return FLOP_PER_PARAM_TOKEN * params * t

    def same(x):
        return x

    def qkv_activations(t, d, q_dim, tp, kvh, hd):
        return t * (d + q_dim / tp + 2.0 * kvh * hd) * ELEM_PER_TOKEN

    define(f"{p}_qkv_proj_flop", ["qkv_params_per_device", tokens], matmul_flop)
    define(f"{p}_qkv_proj_weight_params", ["qkv_params_per_device"], same)
    define(f"{p}_qkv_proj_activation_elements", [tokens, "d_model", "query_dim", "tp", "kv_heads_per_device",
                                                 "head_dim"], qkv_activations)

    def attn_flop(s, pairs, q_dim, v_dim, tp):
        """Scores Q.K^T over the query width and P.V over the value width."""
        return FLOP_PER_MAC * s * pairs * (q_dim + v_dim) / tp

    def attn_kv(s, kv_read, t, kv_el):
        return (s * kv_read + t) * kv_el  # read the context's K/V, append the step's

    def decode_attn_kv(s, kv_read, t, kv_el, reads):
        return (s * kv_read * reads + t) * kv_el  # the context's K/V read ``decode_kv_reads`` times

    def attn_activations(t, q_dim, v_dim, tp):
        return t * (q_dim + v_dim) / tp * ELEM_PER_TOKEN

    widths = ["decode_attention_query_width", "decode_attention_value_width"] if p == "decode" else ["query_dim",
                                                                                                     "value_dim"]
    define(f"{p}_attention_flop", [seqs, f"{p}_attention_pairs", *widths, "tp"], attn_flop)  # MLA: ``mla_decode``
    kv_inputs = [seqs, f"{p}_kv_read_tokens", tokens, "kv_elements_per_token_per_layer_per_device"]
    if p == "decode":
        define(f"{p}_attention_kv_elements", [*kv_inputs, "decode_kv_reads"], decode_attn_kv)
    else:
        define(f"{p}_attention_kv_elements", kv_inputs, attn_kv)
    define(f"{p}_attention_activation_elements", [tokens, "query_dim", "value_dim", "tp"], attn_activations)

    def o_activations(t, v_dim, tp, d):
        return t * (v_dim / tp + d) * ELEM_PER_TOKEN

    define(f"{p}_o_proj_flop", ["o_params_per_device", tokens], matmul_flop)
    define(f"{p}_o_proj_weight_params", ["o_params_per_device"], same)
    define(f"{p}_o_proj_activation_elements", [tokens, "value_dim", "tp", "d_model"], o_activations)

    def mlp_weights(share, dense, n_experts, shared, each, router, routed, tp, density):
        experts_read = (shared.fill_null(0.0) + n_experts.fill_null(0.0) * routed) * each / tp + router
        return (share * dense / tp + (1.0 - share) * experts_read) * density

    def mlp_act_elements(t, width, up_n, down_k):
        """The activation kernel between the GEMMs, a kernel of its own (TensorRT-LLM's GatedMLP: gate_up_proj,
        swiglu, down_proj, tensorrt_llm/_torch/modules/gated_mlp.py at 01503f55; vLLM's SiluAndMul): reads the up
        GEMM's output (up_n / down_k x width: gate and up, 2 x width, when gated), writes width."""
        return t * (up_n / down_k + 1.0) * width

    def mlp_activations(t, d, act):
        """The up GEMM reads the input and writes what the activation kernel reads; down reads the kernel's
        output and writes its own: 2 d + 2 (the kernel's traffic) per token."""
        return 2.0 * t * d * ELEM_PER_TOKEN + 2.0 * act

    define(f"{p}_mlp_flop", ["mlp_params_per_token_per_device", tokens], matmul_flop)
    define(f"{p}_mlp_weight_params", ["dense_layer_share", "dense_mlp_params_per_layer", "n_experts",
                                      "n_shared_experts", "expert_params_each", "router_params_per_layer",
                                      f"{p}_routed_fraction", "tp", "weight_density"], mlp_weights)
    define(f"{p}_mlp_act_elements", [tokens, "mlp_width_per_device", f"{p}_mlp_up_gemm_n", f"{p}_mlp_down_gemm_k"],
           mlp_act_elements)
    define(f"{p}_mlp_activation_elements", [tokens, "d_model", f"{p}_mlp_act_elements"], mlp_activations)

    def norms_flop(t, d):
        return OTHER_FLOP_PER_ELEMENT * t * d * ELEM_PER_TOKEN

    def norms_activations(t, d):
        return OTHER_ELEMENT_TRIPS * t * d * ELEM_PER_TOKEN

    define(f"{p}_norms_flop", [tokens, "d_model"], norms_flop)
    define(f"{p}_norms_activation_elements", [tokens, "d_model"], norms_activations)

    def head_weights(params, t):
        """The vocabulary matrix is read only when some position is projected on it."""
        return where(t > lit(0.0, "tok"), params, 0)

    def head_activations(t, d, vocab, tp):
        return t * (d + vocab / tp) * ELEM_PER_TOKEN

    define(f"{p}_lm_head_flop", ["lm_head_params_per_device", logits], matmul_flop)
    define(f"{p}_lm_head_weight_params", ["lm_head_params_per_device", logits], head_weights)
    define(f"{p}_lm_head_activation_elements", [logits, "d_model", "vocab_size", "tp"], head_activations)

    def in_bytes(amount, size):
        return amount * size

    # serving's activations stay 16-bit under FP8/FP4 compute (serving.hidden_state_bytes_per_element:
    # only the Linear modules' weights and inputs are quantized); the node study's step keeps its dtype
    activation_size = "hidden_state_bytes_per_element" if p in ("prefill", "decode") else "bytes_per_element"

    for op in (*OPERATORS, "lm_head"):
        parts = []
        if op not in ("attention", "norms"):
            # serving's LM head is not quantized (end_weight_bytes_per_param); the node study's step keeps its dtype
            # and 16-bit attention projections beside 4-bit weights (mixed_precision: qkv_, o_weight_bytes_per_param)
            own = {"lm_head": "end", "qkv_proj": "qkv", "o_proj": "o"}.get(op) if p in ("prefill", "decode") else None
            size = f"{own}_weight_bytes_per_param" if own else "weight_bytes_per_param"
            define(f"{p}_{op}_weight_bytes", [f"{p}_{op}_weight_params", size], in_bytes)
            parts.append(f"{p}_{op}_weight_bytes")
        if op == "attention":
            define(f"{p}_attention_kv_bytes", [f"{p}_attention_kv_elements", "kv_bytes_per_element"], in_bytes)
            parts.append(f"{p}_attention_kv_bytes")
        define(f"{p}_{op}_activation_bytes", [f"{p}_{op}_activation_elements", activation_size], in_bytes)
        parts.append(f"{p}_{op}_activation_bytes")
        define(f"{p}_{op}_bytes", parts, total)
    define(f"{p}_mlp_act_bytes", [f"{p}_mlp_act_elements", activation_size], in_bytes)


for _phase in ("prefill", "decode", "step"):
    operator_work(_phase)
