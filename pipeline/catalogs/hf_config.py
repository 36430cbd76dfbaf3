"""Read a local Hugging Face ``config.json`` into the ``models`` catalog's architecture columns.

No network: the file is read and its keys are mapped to the catalog's columns per
``model_type`` (and the model's attention and MoE patterns). ``hf_import`` builds the row from
them, counts its parameters with the package's own formulas, checks the count against a
published one (within 2%) and writes the catalog atomically; a row of the same name is
replaced in place. Every missing or malformed key is raised as one ``InputError``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, Problem

TOLERANCE = 0.02  # the catalog's parameter-count check (tests/walls/test_architecture.py)

# Families whose MLP is three-matrix gated (SwiGLU / GeGLU), whatever hidden_act says.
GATED = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
         "phi3", "deepseek_v2", "deepseek_v3", "kimi_k2", "glm4_moe", "gemma3_text", "gpt_oss", "llama4_text"}
# Multimodal configs whose text decoder is under ``text_config`` (the vision tower is not counted).
TEXT_CONFIG = {"gemma3": "gemma3_text", "llama4": "llama4_text"}
# Multi-head latent attention (DeepSeek-V2 §2.1): Kimi K2's config.json is DeepseekV3ForCausalLM with
# model_type "kimi_k2" (its own name, the same keys).
MLA = {"deepseek_v2", "deepseek_v3", "kimi_k2"}
LEARNED_POSITIONS = {"gpt2", "bert", "roberta"}
ENCODERS = {"bert", "roberta"}
OWN_KEYS = {"bloom", "falcon", "mpt", "opt"}  # key names of their own (mapped below, per family)
SUPPORTED = sorted(GATED | LEARNED_POSITIONS | OWN_KEYS | set(TEXT_CONFIG))
# Families whose ``sliding_window`` key is a window the model uses (Qwen's is off unless use_sliding_window).
WINDOWED = {"mistral", "gemma2", "gemma3_text", "gpt_oss"}
# transformers' class defaults of tie_word_embeddings, used when the file omits the key
TIED_BY_DEFAULT = {"gemma", "gemma2", "gemma3_text", "gpt2", "bert", "roberta"}
# Qwen2 attention always has q/k/v biases (no config flag); the catalog records has_linear_bias=true.
QKV_BIAS = {"qwen2", "qwen2_moe"}

CAVEATS = {
    "qwen2": "only q/k/v have biases; the formula counts every linear bias (small overcount)",
    "qwen2_moe": "only q/k/v have biases, and shared_expert_gate is not counted (formula within 0.01%)",
    "qwen3": "per-head q_norm/k_norm weights are not counted",
    "qwen3_moe": "per-head q_norm/k_norm weights are not counted",
    "gemma2": "4 RMSNorms per layer, the formula counts 2",
    "gemma3_text": "4 RMSNorms and the per-head q_norm/k_norm weights per layer; the formula counts 2 RMSNorms",
    "gpt_oss": "router biases and per-head attention sinks are not counted",
    "llama4_text": "chunked local attention (attention_chunk_size) is not a catalog pattern: its layers count as "
                   "global, so KV beyond the chunk is overestimated",
    "deepseek_v3": "multi-token-prediction layers (num_nextn_predict_layers) and e_score_correction_bias "
                   "are not counted",
    "deepseek_v2": "multi-token-prediction layers, if any, are not counted",
    "kimi_k2": "multi-token-prediction layers, if any, and e_score_correction_bias are not counted",
    "glm4_moe": "only q/k/v have biases (attention_bias) but the formula counts every linear bias "
                "(small overcount); per-head q_norm/k_norm (use_qk_norm), the multi-token-prediction layer "
                "(num_nextn_predict_layers) and e_score_correction_bias are not counted",
    "bert": "pooler and token-type embeddings are not counted",
    "roberta": "pooler and token-type embeddings are not counted",
    "bloom": "the LayerNorm after the word embeddings (2 x hidden) is not counted",
    "falcon": "parallel attention/MLP is not expressible; 2 LayerNorms per layer counted (old layout: 1)",
    "mpt": "no_bias also drops the LayerNorm biases, which the formula counts (2 x hidden per layer)",
    "opt": "the learned position table's 2 offset rows are not counted",
}


class _Keys:
    """Reads config keys, collecting every missing or malformed one before raising."""

    def __init__(self, config: dict[str, Any], model_type: str):
        self.config, self.model_type, self.problems = config, model_type, []

    def _bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(None, key, message))

    def count(self, key: str, maps_to: str, *, default: int | None = None, required: bool = True,
            minimum: int = 1) -> int | None:
        """A positive (or >= ``minimum``) integer; null counts as absent."""
        value = self.config.get(key)
        if value is None:
            if required and default is None:
                self._bad(key, f"missing key; required for model_type {self.model_type!r} (-> {maps_to})")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self._bad(key, f"got {value!r}, expected an integer (-> {maps_to})")
            return None
        if value < minimum:
            self._bad(key, f"got {value!r}, expected an integer >= {minimum} (-> {maps_to})")
            return None
        return int(value)

    def first(self, keys: tuple[str, ...], maps_to: str, **kwargs: Any) -> int | None:
        """The first of several spellings present (e.g. BLOOM's hidden_size, or n_embed in old configs)."""
        key = next((key for key in keys if self.config.get(key) is not None), keys[-1])
        return self.count(key, maps_to, **kwargs)

    def flag(self, key: str, default: bool) -> bool:
        value = self.config.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._bad(key, f"got {value!r}, expected true or false")
            return default
        return value

    def int_list(self, key: str) -> list[int]:
        value = self.config.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            self._bad(key, f"got {value!r}, expected a list of layer indices")
            return []
        return value


def load_config(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    source = f"HF config {path}"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(source, [Problem(None, None, "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(source, [Problem(None, None, f"cannot be read as JSON: {exc}")]) from None
    if not isinstance(config, dict):
        raise InputError(source, [Problem(None, None, "expected a JSON object")])
    return config


def architecture(config: dict[str, Any], source: str = "HF config") -> dict[str, Any]:
    """Map a config's keys to the catalog's architecture columns (``model_type`` ... ``v_head_dim``).

    Raises one ``InputError`` naming every missing or malformed key.
    """
    model_type = config.get("model_type")
    if model_type in TEXT_CONFIG:  # a multimodal config: its text decoder
        text = config.get("text_config")
        if not isinstance(text, dict):
            raise InputError(source, [Problem(None, "text_config", f"missing key; required for model_type "
                                                                   f"{model_type!r} (the text decoder's keys)")])
        config, model_type = text | {"model_type": TEXT_CONFIG[model_type]}, TEXT_CONFIG[model_type]
    if not isinstance(model_type, str) or model_type not in SUPPORTED:
        got = "missing key" if model_type is None else f"got {model_type!r}"
        raise InputError(source, [Problem(None, "model_type", f"{got}; expected one of {SUPPORTED}")])
    keys = _Keys(config, model_type)
    own = {"gpt2": _gpt2, "bloom": _bloom, "falcon": _falcon, "mpt": _mpt, "opt": _opt}.get(model_type)
    cols = own(keys) if own else _hf_standard(keys, model_type)
    cols |= _pattern(keys, model_type, cols["n_layers"])
    cols["quantized_layers"] = _quantized_layers(config, cols.get("is_moe"))
    if keys.problems:
        raise InputError(source, keys.problems)
    return cols


def _pattern(k: _Keys, model_type: str, n_layers: int | None) -> dict[str, Any]:
    """The pattern columns (``pipeline.catalogs.model_patterns``): the window of ``sliding_window`` and its
    layers from ``layer_types``, else the family's rule in transformers (Gemma 2: even layers,
    Gemma2DecoderLayer; Gemma 3: all but every ``sliding_window_pattern``-th, default 6; GPT-OSS: even
    layers, GptOssConfig; Mistral: every layer); shared KV from ``num_kv_shared_layers``."""
    window = k.count("sliding_window", "sliding_window_tokens", required=False) if model_type in WINDOWED else None
    types = k.config.get("layer_types")
    layers = None
    if window is not None and isinstance(types, list):
        layers = sum(t == "sliding_attention" for t in types)
        if len(types) != n_layers:
            k._bad("layer_types", f"got {len(types)} entries, expected num_hidden_layers {n_layers}")
    elif window is not None and n_layers and model_type in ("gemma2", "gpt_oss"):
        layers = (n_layers + 1) // 2
    elif window is not None and n_layers and model_type == "gemma3_text":
        every = k.config.get("sliding_window_pattern") or k.config.get("_sliding_window_pattern") or 6
        layers = sum(1 for i in range(n_layers) if (i + 1) % every)
    shared = k.count("num_kv_shared_layers", "kv_shared_layers", required=False, minimum=0)
    return {"sliding_window_tokens": window, "sliding_window_layers": layers, "kv_shared_layers": shared or None}


def _quantized_layers(config: dict[str, Any], is_moe: bool | None) -> str | None:
    """The checkpoint column (``pipeline.catalogs.model_patterns``): 'experts' where an MoE checkpoint's
    ``quantization_config`` is MXFP4 and leaves attention unconverted (GPT-OSS: ``modules_to_not_convert``
    self_attn, mlp.router, embed_tokens, lm_head: only the routed experts are 4-bit); else null."""
    quant = config.get("quantization_config")
    if not is_moe or not isinstance(quant, dict) or quant.get("quant_method") != "mxfp4":
        return None
    kept = quant.get("modules_to_not_convert") or []
    return "experts" if any(isinstance(m, str) and "self_attn" in m for m in kept) else None


def _gpt2(k: _Keys) -> dict[str, Any]:
    n_layers = k.count("n_layer", "n_layers")
    d = k.count("n_embd", "d_model")
    heads = k.count("n_head", "n_heads")
    ffn = k.count("n_inner", "ffn_dim", required=False)
    cols = _dense(n_layers, d, heads, heads, _head_dim(k, d, heads, "n_embd", "n_head"),
                  ffn if ffn is not None else (4 * d if d else None))
    return cols | {
        "model_type": "decoder", "is_gated_mlp": False,
        "vocab_size": k.count("vocab_size", "vocab_size"),
        "is_tied_embeddings": k.flag("tie_word_embeddings", True),
        "max_context_tokens": k.count("n_positions", "max_context_tokens"),
        "position_embedding": "learned", "has_linear_bias": True, "norm_type": "layernorm",
    }


def _decoder(k: _Keys, n_layers, d, heads, kv_heads, ffn, context, position: str, bias: bool) -> dict[str, Any]:
    """A dense LayerNorm decoder with a non-gated MLP (BLOOM, Falcon, MPT, OPT)."""
    return _dense(n_layers, d, heads, kv_heads, _head_dim(k, d, heads, "the hidden size", "heads"), ffn) | {
        "model_type": "decoder", "is_gated_mlp": False, "vocab_size": k.count("vocab_size", "vocab_size"),
        "is_tied_embeddings": k.flag("tie_word_embeddings", True), "max_context_tokens": context,
        "position_embedding": position, "has_linear_bias": bias, "norm_type": "layernorm"}


def _bloom(k: _Keys) -> dict[str, Any]:
    """transformers BloomConfig (old configs: n_embed, num_attention_heads); MLP 4 x hidden; ALiBi. No
    context key: 2048, every BLOOM's training length (bigscience/bloom card: 'Sequence length of 2048')."""
    d = k.first(("hidden_size", "n_embed"), "d_model")
    heads = k.first(("n_head", "num_attention_heads"), "n_heads")
    return _decoder(k, k.count("n_layer", "n_layers"), d, heads, heads, 4 * d if d else None,
                    k.count("seq_length", "max_context_tokens", default=2048, required=False), "alibi", True)


def _falcon(k: _Keys) -> dict[str, Any]:
    """transformers FalconConfig defaults: multi_query true, new_decoder_architecture false (then one
    K/V head if multi_query), num_kv_heads = heads, bias false, alibi false (RoPE), 2048 positions."""
    d = k.count("hidden_size", "d_model")
    heads = k.first(("num_attention_heads", "n_head"), "n_heads")
    if k.flag("new_decoder_architecture", False):
        kv_heads = k.count("num_kv_heads", "n_kv_heads", default=heads, required=False)
    else:
        kv_heads = 1 if k.flag("multi_query", True) else heads
    ffn = k.count("ffn_hidden_size", "ffn_dim", required=False) or (4 * d if d else None)
    return _decoder(k, k.first(("num_hidden_layers", "n_layer"), "n_layers"), d, heads, kv_heads, ffn,
                    k.count("max_position_embeddings", "max_context_tokens", default=2048, required=False),
                    "alibi" if k.flag("alibi", False) else "rope", k.flag("bias", False))


MPT_KV = {"multihead_attention": None, "multiquery_attention": 1, "grouped_query_attention": "kv_n_heads"}


def _mpt(k: _Keys) -> dict[str, Any]:
    """MosaicML MPTConfig (defaults expansion_ratio 4, max_seq_len 2048, learned_pos_emb true, no_bias
    false); attention options nest in attn_config (alibi, attn_type, kv_n_heads)."""
    attn = k.config.get("attn_config") or {}
    if not isinstance(attn, dict):
        k._bad("attn_config", f"got {attn!r}, expected an object")
    a = _Keys(attn if isinstance(attn, dict) else {}, k.model_type)
    d, heads = k.count("d_model", "d_model"), k.count("n_heads", "n_heads")
    kind = a.config.get("attn_type", "multihead_attention")
    kv = MPT_KV.get(kind) if isinstance(kind, str) else None
    if not isinstance(kind, str) or kind not in MPT_KV:
        a._bad("attn_type", f"got {kind!r}, expected one of {sorted(MPT_KV)}")
    kv_heads = a.count(kv, "n_kv_heads") if isinstance(kv, str) else (kv or heads)
    alibi = a.flag("alibi", False)
    k.problems += [Problem(None, f"attn_config.{p.column}", p.message) for p in a.problems]
    ratio = k.count("expansion_ratio", "ffn_dim", default=4, required=False)
    position = "alibi" if alibi else ("learned" if k.flag("learned_pos_emb", True) else "none")
    return _decoder(k, k.count("n_layers", "n_layers"), d, heads, kv_heads, d * ratio if d and ratio else None,
                    k.count("max_seq_len", "max_context_tokens", default=2048, required=False), position,
                    not k.flag("no_bias", False))


def _opt(k: _Keys) -> dict[str, Any]:
    """transformers OPTConfig (enable_bias default true); no column for OPT-350M's embedding projection."""
    d = k.count("hidden_size", "d_model")
    proj = k.count("word_embed_proj_dim", "d_model", required=False)
    if proj and d and proj != d:
        k._bad("word_embed_proj_dim", f"got {proj}, expected hidden_size {d}: the catalog has no embedding projection")
    heads = k.count("num_attention_heads", "n_heads")
    return _decoder(k, k.count("num_hidden_layers", "n_layers"), d, heads, heads, k.count("ffn_dim", "ffn_dim"),
                    k.count("max_position_embeddings", "max_context_tokens"), "learned", k.flag("enable_bias", True))


def _head_dim(k: _Keys, d: int | None, heads: int | None, d_key: str, heads_key: str) -> int | None:
    if not d or not heads:
        return None
    if d % heads:
        k._bad("head_dim", f"missing key, and {d_key} {d} is not a multiple of {heads_key} {heads}")
        return None
    return d // heads


def _dense(n_layers, d, heads, kv_heads, head_dim, ffn) -> dict[str, Any]:
    return {"is_moe": False, "n_layers": n_layers, "d_model": d, "n_heads": heads, "n_kv_heads": kv_heads,
            "head_dim": head_dim, "ffn_dim": ffn, "n_experts": None, "n_experts_per_token": None,
            "n_shared_experts": None, "expert_ffn_dim": None, "n_dense_layers": n_layers,
            "q_lora_rank": None, "kv_lora_rank": None, "qk_rope_head_dim": None, "v_head_dim": None,
            "sliding_window_tokens": None, "sliding_window_layers": None, "kv_shared_layers": None,
            "moe_layer_interval": None}


def _hf_standard(k: _Keys, model_type: str) -> dict[str, Any]:
    """Llama-style keys (llama, mistral, qwen2, gemma, phi3, mixtral, qwen MoE, deepseek) and BERT."""
    n_layers = k.count("num_hidden_layers", "n_layers")
    d = k.count("hidden_size", "d_model")
    heads = k.count("num_attention_heads", "n_heads")
    kv_heads = k.count("num_key_value_heads", "n_kv_heads", default=heads, required=False)
    ffn = (k.count("intermediate_size_mlp", "ffn_dim") if model_type == "llama4_text"  # dense layers' MLP
           else k.count("intermediate_size", "ffn_dim"))
    rope = None
    if model_type in MLA:  # query/key heads are qk_nope + qk_rope wide
        nope = k.count("qk_nope_head_dim", "head_dim (qk_nope + qk_rope)")
        rope = k.count("qk_rope_head_dim", "qk_rope_head_dim")
        head_dim = nope + rope if nope and rope else None
    else:
        head_dim = k.count("head_dim", "head_dim", required=False)
        if head_dim is None and "head_dim" not in [p.column for p in k.problems]:
            head_dim = _head_dim(k, d, heads, "hidden_size", "num_attention_heads")
    cols = _dense(n_layers, d, heads, kv_heads, head_dim, ffn)
    learned = model_type in LEARNED_POSITIONS
    bias = (model_type in QKV_BIAS or learned
            or k.flag("attention_bias", False) or k.flag("mlp_bias", False))
    cols |= {
        "model_type": "encoder" if model_type in ENCODERS else "decoder",
        "is_gated_mlp": model_type in GATED,
        "vocab_size": k.count("vocab_size", "vocab_size"),
        "is_tied_embeddings": k.flag("tie_word_embeddings", model_type in TIED_BY_DEFAULT),
        "max_context_tokens": k.count("max_position_embeddings", "max_context_tokens"),
        "position_embedding": "learned" if learned else "rope",
        "has_linear_bias": bias,
        "norm_type": "layernorm" if learned else "rmsnorm",
    }
    if model_type in MLA:
        cols |= {"q_lora_rank": k.count("q_lora_rank", "q_lora_rank", required=False),
                 "kv_lora_rank": k.count("kv_lora_rank", "kv_lora_rank"),
                 "qk_rope_head_dim": rope,
                 "v_head_dim": k.count("v_head_dim", "v_head_dim")}
    return cols | _moe(k, model_type, n_layers, ffn)


def _moe(k: _Keys, model_type: str, n_layers: int | None, ffn: int | None) -> dict[str, Any]:
    """Expert columns; layers without routed experts count as dense (n_dense_layers)."""
    interval = None  # moe_layer_interval: Llama 4's interleave_moe_layer_step
    if model_type in ("mixtral", "gpt_oss"):  # every layer MoE; intermediate_size is the expert's
        n_experts = k.count("num_local_experts", "n_experts")
        per_token = k.count("num_experts_per_tok", "n_experts_per_token")
        shared, expert_ffn = 0, ffn
        is_moe_layer = lambda i: True  # noqa: E731
    elif model_type == "llama4_text":  # Llama4TextMoe: routed experts plus one shared expert of their size
        n_experts = k.count("num_local_experts", "n_experts")
        per_token = k.count("num_experts_per_tok", "n_experts_per_token")
        expert_ffn, shared = k.count("intermediate_size", "expert_ffn_dim"), 1
        step = k.count("interleave_moe_layer_step", "moe_layer_interval", default=1, required=False)
        listed = set(k.int_list("moe_layers"))
        is_moe_layer = (lambda i: i in listed) if listed else (lambda i: (i + 1) % (step or 1) == 0)  # noqa: E731
        interval = step
    elif model_type in ("qwen2_moe", "qwen3_moe"):
        n_experts = k.count("num_experts", "n_experts")
        per_token = k.count("num_experts_per_tok", "n_experts_per_token")
        expert_ffn = k.count("moe_intermediate_size", "expert_ffn_dim")
        shared = 0
        if model_type == "qwen2_moe":
            shared_ffn = k.count("shared_expert_intermediate_size", "n_shared_experts", required=False, minimum=0)
            if shared_ffn and expert_ffn:
                if shared_ffn % expert_ffn:
                    k._bad("shared_expert_intermediate_size",
                           f"got {shared_ffn}, expected a multiple of moe_intermediate_size {expert_ffn} "
                           "(the catalog counts shared experts of the routed experts' size)")
                shared = shared_ffn // expert_ffn
        step = k.count("decoder_sparse_step", "n_dense_layers", default=1, required=False)
        dense_only = set(k.int_list("mlp_only_layers"))
        is_moe_layer = lambda i: i not in dense_only and (i + 1) % (step or 1) == 0  # noqa: E731
    elif model_type in MLA or model_type == "glm4_moe":  # GLM-4.5 uses DeepSeek-V3's expert keys
        n_experts = k.count("n_routed_experts", "n_experts")
        per_token = k.count("num_experts_per_tok", "n_experts_per_token")
        shared = k.count("n_shared_experts", "n_shared_experts", default=0, required=False, minimum=0)
        expert_ffn = k.count("moe_intermediate_size", "expert_ffn_dim")
        first_dense = k.count("first_k_dense_replace", "n_dense_layers", default=0, required=False, minimum=0)
        freq = k.count("moe_layer_freq", "n_dense_layers", default=1, required=False)
        is_moe_layer = lambda i: i >= (first_dense or 0) and i % (freq or 1) == 0  # noqa: E731
    else:
        return {}
    moe_layers = sum(1 for i in range(n_layers or 0) if is_moe_layer(i))
    if n_layers and moe_layers == 0:
        return {}  # no routed layer: a dense model
    return {"is_moe": True, "n_experts": n_experts, "n_experts_per_token": per_token,
            "n_shared_experts": shared, "expert_ffn_dim": expert_ffn,
            "n_dense_layers": None if n_layers is None else n_layers - moe_layers, "moe_layer_interval": interval}
