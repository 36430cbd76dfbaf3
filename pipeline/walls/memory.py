"""Wall 2 (memory): bytes moved per step, the time to move them, and whether the step fits.

Traffic counted per step (first order, no cache reuse across steps):
weights read once per forward (MoE: only the routed experts some token picked),
the KV cache read in decode and written in prefill, and each layer's activations
written once and read once. A training step moves 3x the forward's weights and
activations (forward read, backward read, gradient write) plus the optimizer update.
"""

from __future__ import annotations

import polars as pl

from pipeline.formulas import column
from pipeline.units import UExpr, lit, where

ELEMENT_PER_PARAM = lit(1.0, "elem/param")  # each weight stored as one element of the dtype
# Mixed-precision Adam keeps an fp32 master copy, momentum and variance: 12 B/param
# (Rajbhandari et al. 2020, ZeRO, §3.1); the update reads and writes all three.
OPTIMIZER_STATE = lit(12.0, "B/param")
# Korthikanti et al. 2022 (arXiv:2205.05198) eq. 1: activation bytes per layer at
# 16-bit = s·b·h·(34 + 5·a·s/h), with no recomputation and no parallelism.
KORTHIKANTI_16BIT_BYTES = 2.0


@column
def bytes_per_param(bytes_per_element: UExpr) -> UExpr:
    return bytes_per_element * ELEMENT_PER_PARAM


@column
def weight_bytes(params_computed: UExpr, bytes_per_param: UExpr) -> UExpr:
    """Resident weights: every parameter (all experts of an MoE) in the compute dtype."""
    return params_computed * bytes_per_param


@column
def routed_expert_fraction_read(n_experts: UExpr, n_experts_per_token: UExpr,
                                tokens_per_step: UExpr) -> UExpr:
    """Expected share of routed experts picked by at least one of the step's tokens,
    1 - (1 - k/E)^tokens, for uniform independent routing (0 for dense models)."""
    k_over_e = (n_experts_per_token / n_experts).fill_null(0.0)
    miss = UExpr((1.0 - k_over_e.expr).pow(tokens_per_step.magnitude("tok")), k_over_e.unit)
    return (1.0 - miss).fill_null(0.0)


@column
def weight_traffic_bytes(
    is_transformer: pl.Expr, step: pl.Expr, params_computed: UExpr, layer_params_dense_part: UExpr,
    routed_expert_params: UExpr, routed_expert_fraction_read: UExpr, lm_head_params: UExpr,
    logit_tokens_per_step: UExpr, bytes_per_param: UExpr,
) -> UExpr:
    """Weights read by one forward pass; a training step adds backward read, gradient write
    and the optimizer's read-modify-write of its fp32 state."""
    lm_head_read = where(logit_tokens_per_step > lit(0.0, "tok"), lm_head_params, 0)
    transformer_params = (layer_params_dense_part + routed_expert_params * routed_expert_fraction_read
                          + lm_head_read)
    forward = where(is_transformer, transformer_params, params_computed) * bytes_per_param
    training = 3.0 * forward + 2.0 * OPTIMIZER_STATE * params_computed
    return where(step == "train", training, forward)


@column
def kv_cache_bytes(step: pl.Expr, kv_cache_elements_per_token: UExpr, batch: UExpr, seq_len: UExpr,
                   bytes_per_element: UExpr) -> UExpr:
    """KV cache held for the context: 2·L·H_kv·d_head·S·B·bytes (exact; the seed's formula).
    Generation only (prefill and decode); 0 for encoders and training steps."""
    cache = kv_cache_elements_per_token * seq_len * batch * bytes_per_element
    return where((step == "prefill") | (step == "decode"), cache, 0).fill_null(0)


@column
def kv_traffic_bytes(step: pl.Expr, kv_cache_bytes: UExpr, kv_cache_elements_per_token: UExpr,
                     batch: UExpr, bytes_per_element: UExpr) -> UExpr:
    """Decode reads the whole cache and appends one token; prefill writes the prompt's cache."""
    one_token = kv_cache_elements_per_token * lit(1.0, "tok") * batch * bytes_per_element
    return where(step == "decode", kv_cache_bytes + one_token, kv_cache_bytes).fill_null(0.0)


@column
def activation_traffic_bytes(
    is_transformer: pl.Expr, activation_elements_per_sample: UExpr, batch: UExpr, n_layers: UExpr,
    tokens_per_step: UExpr, d_model: UExpr, bytes_per_element: UExpr, step_multiplier: UExpr,
) -> UExpr:
    """Each layer's output written once and read once. Transformers: the residual stream
    (d_model per token) in and out of every block."""
    per_token = lit(1.0, "elem/tok")
    transformer = 2.0 * n_layers * tokens_per_step * d_model * per_token
    cnn = 2.0 * activation_elements_per_sample * batch
    return where(is_transformer, transformer, cnn) * bytes_per_element * step_multiplier


@column
def bytes_moved(weight_traffic_bytes: UExpr, kv_traffic_bytes: UExpr,
                activation_traffic_bytes: UExpr) -> UExpr:
    return weight_traffic_bytes + kv_traffic_bytes + activation_traffic_bytes


@column
def memory_time_s(bytes_moved: UExpr, memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Wall 2: T = bytes moved / memory bandwidth (datasheet bandwidth for now)."""
    return (bytes_moved / memory_bandwidth_bytes_per_s).to("s")


@column
def activation_memory_bytes(
    is_transformer: pl.Expr, step: pl.Expr, activation_elements_per_sample: UExpr, batch: UExpr,
    n_layers: UExpr, tokens_per_step: UExpr, seq_len: UExpr, d_model: UExpr, n_heads: UExpr,
    ffn_dim: UExpr, bytes_per_element: UExpr,
) -> UExpr:
    """Activations resident during the step.

    CNN: every feature map of the batch (what training keeps for backward; an upper
    bound at inference). Transformer inference: input and output of the widest layer.
    Transformer training: Korthikanti et al. 2022 eq. 1, s·b·h·(34 + 5·a·s/h) per layer
    at 16 bits, scaled to the dtype.
    """
    elem = lit(1.0, "elem")
    cnn = activation_elements_per_sample * batch
    widest = UExpr(pl.max_horizontal(d_model.expr, ffn_dim.expr), d_model.unit)
    inference = 2.0 * (tokens_per_step / lit(1.0, "tok")) * widest * elem
    s = seq_len / lit(1.0, "tok")
    korthikanti = n_layers * s * batch * d_model * (34.0 + 5.0 * n_heads * s / d_model)
    training = korthikanti * elem / KORTHIKANTI_16BIT_BYTES
    transformer = where(step == "train", training, inference)
    return where(is_transformer, transformer, cnn) * bytes_per_element


@column
def optimizer_state_bytes(step: pl.Expr, params_computed: UExpr, bytes_per_param: UExpr) -> UExpr:
    """Training only: gradients in the compute dtype plus 12 B/param of Adam state."""
    state = params_computed * (bytes_per_param + OPTIMIZER_STATE)
    return where(step == "train", state, 0)


@column
def memory_footprint_bytes(weight_bytes: UExpr, kv_cache_bytes: UExpr, activation_memory_bytes: UExpr,
                           optimizer_state_bytes: UExpr) -> UExpr:
    return weight_bytes + kv_cache_bytes + activation_memory_bytes + optimizer_state_bytes


@column
def memory_headroom_bytes(memory_capacity_bytes: UExpr, memory_footprint_bytes: UExpr) -> UExpr:
    """Capacity left after the footprint; negative when the step does not fit."""
    return memory_capacity_bytes - memory_footprint_bytes


@column
def is_feasible(memory_headroom_bytes: UExpr) -> pl.Expr:
    return memory_headroom_bytes >= lit(0.0, "B")


@column
def infeasible_reason(is_feasible: pl.Expr) -> pl.Expr:
    """Why a configuration cannot run (the footprint and capacity columns give the numbers)."""
    return (pl.when(is_feasible).then(pl.lit(None, pl.String))
            .otherwise(pl.lit("memory: footprint exceeds device memory"))).cast(pl.Categorical)
