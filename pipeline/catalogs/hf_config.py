"""Import a transformer row into the ``models`` catalog from a local Hugging Face ``config.json``.

No network: the file is read, its keys are mapped to the catalog's architecture columns
(per ``model_type``), the parameter count is computed with the package's own formulas
(``pipeline.walls.architecture``), and, when a published count is given, the two must
agree within 2%. The whole table is then validated and written atomically by
``write_catalog``; a row of the same name is replaced in place.

Every problem (missing or malformed keys, a published count off by more than 2%, a bad
cell) is raised as one ``InputError``; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.errors import InputError, Problem

TOLERANCE = 0.02  # the catalog's parameter-count check (tests/walls/test_architecture.py)

# Families whose MLP is three-matrix gated (SwiGLU / GeGLU), whatever hidden_act says.
GATED = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
         "phi3", "deepseek_v2", "deepseek_v3"}
LEARNED_POSITIONS = {"gpt2", "bert", "roberta"}
ENCODERS = {"bert", "roberta"}
SUPPORTED = sorted(GATED | LEARNED_POSITIONS)
# transformers' class defaults of tie_word_embeddings, used when the file omits the key
TIED_BY_DEFAULT = {"gemma", "gemma2", "gpt2", "bert", "roberta"}
# Qwen2 attention always has q/k/v biases (no config flag); the catalog records has_linear_bias=true.
QKV_BIAS = {"qwen2", "qwen2_moe"}

CAVEATS = {
    "qwen2": "only q/k/v have biases; the formula counts every linear bias (small overcount)",
    "qwen2_moe": "only q/k/v have biases, and shared_expert_gate is not counted (formula within 0.01%)",
    "qwen3": "per-head q_norm/k_norm weights are not counted",
    "qwen3_moe": "per-head q_norm/k_norm weights are not counted",
    "gemma2": "4 RMSNorms per layer, the formula counts 2",
    "deepseek_v3": "multi-token-prediction layers (num_nextn_predict_layers) and e_score_correction_bias "
                   "are not counted",
    "deepseek_v2": "multi-token-prediction layers, if any, are not counted",
    "bert": "pooler and token-type embeddings are not counted",
    "roberta": "pooler and token-type embeddings are not counted",
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
    if not isinstance(model_type, str) or model_type not in SUPPORTED:
        got = "missing key" if model_type is None else f"got {model_type!r}"
        raise InputError(source, [Problem(None, "model_type", f"{got}; expected one of {SUPPORTED}")])
    keys = _Keys(config, model_type)
    if model_type == "gpt2":
        cols = _gpt2(keys)
    else:
        cols = _hf_standard(keys, model_type)
    if keys.problems:
        raise InputError(source, keys.problems)
    return cols


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
            "q_lora_rank": None, "kv_lora_rank": None, "qk_rope_head_dim": None, "v_head_dim": None}


def _hf_standard(k: _Keys, model_type: str) -> dict[str, Any]:
    """Llama-style keys (llama, mistral, qwen2, gemma, phi3, mixtral, qwen MoE, deepseek) and BERT."""
    n_layers = k.count("num_hidden_layers", "n_layers")
    d = k.count("hidden_size", "d_model")
    heads = k.count("num_attention_heads", "n_heads")
    kv_heads = k.count("num_key_value_heads", "n_kv_heads", default=heads, required=False)
    ffn = k.count("intermediate_size", "ffn_dim")
    rope = None
    if model_type.startswith("deepseek"):  # MLA: query/key heads are qk_nope + qk_rope wide
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
    if model_type.startswith("deepseek"):
        cols |= {"q_lora_rank": k.count("q_lora_rank", "q_lora_rank", required=False),
                 "kv_lora_rank": k.count("kv_lora_rank", "kv_lora_rank"),
                 "qk_rope_head_dim": rope,
                 "v_head_dim": k.count("v_head_dim", "v_head_dim")}
    return cols | _moe(k, model_type, n_layers, ffn)


def _moe(k: _Keys, model_type: str, n_layers: int | None, ffn: int | None) -> dict[str, Any]:
    """Expert columns; layers without routed experts count as dense (n_dense_layers)."""
    if model_type == "mixtral":
        n_experts = k.count("num_local_experts", "n_experts")
        per_token = k.count("num_experts_per_tok", "n_experts_per_token")
        shared, expert_ffn = 0, ffn
        is_moe_layer = lambda i: True  # noqa: E731
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
    elif model_type.startswith("deepseek"):
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
            "n_dense_layers": None if n_layers is None else n_layers - moe_layers}


# -- parameter count -------------------------------------------------------------------------

def _schema_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    from pipeline.catalogs.schemas import CATALOGS

    columns = CATALOGS["models"].to_schema().columns
    return pl.DataFrame(rows, schema={n: c.dtype.type for n, c in columns.items()})


def count_params(row: dict[str, Any]) -> tuple[int, int]:
    """(params_computed, params_active_per_token) of one models row, by the package's formulas."""
    from pipeline import formulas
    from pipeline.catalogs.io import schema_units
    from pipeline.units import unit
    from pipeline.walls import architecture as _  # noqa: F401 (registers the formulas)

    frame = _schema_frame([row | {"params_published": row.get("params_published") or 1.0}])
    units = {c: (None if u is None else unit(u)) for c, u in schema_units("models").items()}
    numeric = [c for c, u in units.items() if u is not None]
    frame = frame.with_columns(pl.col(numeric).cast(pl.Float64))
    out = formulas.plan(frame.lazy(), units, ["params_computed", "params_active_per_token"]).frame.collect()
    return round(out["params_computed"][0]), round(out["params_active_per_token"][0])


# -- the row and the import ----------------------------------------------------------------

def model_row(config: dict[str, Any], *, name: str, source_url: str, release_year: int,
              params_published: int | None = None, params_source_url: str | None = None,
              family: str | None = None, file_name: str = "config.json",
              source: str = "HF config") -> dict[str, Any]:
    """One validated ``models`` row from a config, with the 2% parameter-count check."""
    from pipeline.catalogs.io import validate

    cols = architecture(config, source)
    model_type = config["model_type"]
    from pipeline.catalogs.quality import quality_of

    row = {"source_url": source_url, "last_verified": dt.date.today(), "notes": None,
           "source_quality": quality_of(source_url),
           "name": name, "family": family or model_type, "release_year": release_year,
           "params_published": float(params_published) if params_published is not None else None,
           "params_source_url": params_source_url or source_url,
           "forward_flop_per_sample": None, "activation_elements_per_sample": None,
           "input_resolution_px": None} | cols
    # report bad options or impossible shapes (e.g. heads not a multiple of KV heads) before counting
    validate(_schema_frame([row | {"params_published": row["params_published"] or 1.0}]), "models", source)
    computed, active = count_params(row)
    notes = [f"imported from HF config {file_name} (model_type {model_type})"]
    if params_published is None:
        row["params_published"] = float(computed)
        notes.append("params_published = computed from config (no published count given)")
    else:
        if params_published <= 0:
            raise InputError(source, [Problem(None, "params_published",
                                              f"got {params_published}, expected a count > 0")])
        error = computed / params_published - 1
        if abs(error) > TOLERANCE:
            raise InputError(source, [Problem(
                None, "params_published",
                f"published {params_published:,} but the config computes {computed:,} "
                f"({error:+.2%}); expected within {TOLERANCE:.0%}")])
        notes.append(f"params computed from config = {computed:,} ({error:+.3%} vs published)")
    if row["is_moe"]:
        notes.append(f"active params/token (formula) = {active:,}")
    if model_type in CAVEATS:
        notes.append(CAVEATS[model_type])
    row["notes"] = "; ".join(notes) + "."
    return row


def import_hf_config(path: str | Path, *, name: str, source_url: str, release_year: int,
                     params_published: int | None = None, params_source_url: str | None = None,
                     family: str | None = None, registry: str | Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Add (or replace, by name) a models row from a local config.json; returns (written path, row)."""
    from pipeline.catalogs.io import read_catalog, write_catalog

    path = Path(path)
    row = model_row(load_config(path), name=name, source_url=source_url, release_year=release_year,
                    params_published=params_published, params_source_url=params_source_url,
                    family=family, file_name=path.name, source=f"HF config {path}")
    existing = read_catalog("models", registry)
    new = _schema_frame([row]).select(existing.columns).cast(existing.schema)
    names = existing["name"].to_list()
    if name in names:
        i = names.index(name)
        table = pl.concat([existing.slice(0, i), new, existing.slice(i + 1)])
    else:
        table = pl.concat([existing, new])
    return write_catalog(table, "models", registry), row
