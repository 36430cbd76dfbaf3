"""The shapes of the shared operators' matmuls and their compute efficiency, per device and phase: each GEMM's
C[M,N] = A[M,K]·B[K,N] and η from the GEMM shape model (``pipeline.walls.gemm``), attention's η from the
fused-attention model (``pipeline.walls.attention_kernel``). The operators' FLOPs and bytes:
``pipeline.walls.operators``.
"""

from __future__ import annotations

from pipeline.formulas import define
from pipeline.units import UExpr, lit, maximum, where
from pipeline.walls.attention_kernel import attention_query_blocks
from pipeline.walls.gemm import gemm_rows, gemm_split_k, gemm_tile_efficiency, gemm_tiles
from pipeline.walls.kernel_calls import attention_eta_compute, gemm_eta_compute
from pipeline.walls.quantities import PARAM, TOKEN

GEMM_SHAPES = ("qkv_proj", "o_proj", "mlp_up", "mlp_down", "lm_head")  # the MLP is two GEMMs


def gemm_row_tiles(m: UExpr, n: UExpr, tile_m: UExpr, tile_n: UExpr) -> UExpr:
    """``gemm_tiles`` at the rows a GEMM computes (``gemm_rows``), as ``gemm_efficiency`` counts them."""
    return gemm_tiles(gemm_rows(m), n, tile_m, tile_n)


def gemm_row_tile_efficiency(m: UExpr, n: UExpr, tile_m: UExpr, tile_n: UExpr, tiles: UExpr) -> UExpr:
    """``gemm_tile_efficiency`` at the rows a GEMM computes (``gemm_rows``), as ``gemm_efficiency`` counts it."""
    return gemm_tile_efficiency(gemm_rows(m), n, tile_m, tile_n, tiles)


def mlp_eta_compute(up_eta: UExpr, down_eta: UExpr, up_n: UExpr, down_k: UExpr) -> UExpr:
    """The MLP's η: the FLOP-weighted harmonic mean of its up GEMM (M x up_n x d_model) and its
    down GEMM (M x d_model x down_k), whose FLOPs are in the ratio up_n : down_k (gated: 2 : 1,
    else 1 : 1): time = F·(up_n/η_up + down_k/η_down)/((up_n + down_k)·peak)."""
    return (up_n + down_k) / (up_n / up_eta + down_k / down_eta)


def operator_gemms(p: str) -> None:
    """Register each matmul operator's GEMM shape C[M,N] = A[M,K]·B[K,N] on one device for phase
    ``p`` (``{p}_{op}_gemm_m``, ``_gemm_n``, ``_gemm_k``, plain counts: M the tokens through the
    weights, K the input width, N = the device's weights / K) and its compute efficiency
    ``{p}_{op}_eta_compute``: the GEMM shape model (``pipeline.walls.gemm``) x the framework's
    multiplier where the row has kernel parameters, else the profile's eta_compute. An MoE MLP
    runs one GEMM per expert on the tokens routed to it, t·k/E on average (at least one row).
    The MLP is two GEMMs (Vaswani et al. 2017 eq. 2, FFN = act(x W1) W2; SwiGLU, Shazeer 2020
    eq. 6, fuses gate and up into one N = 2·d_ff GEMM): up (K = d_model, N = the up weights /
    d_model) and down (K = d_ff per device, N = d_model); its η is their FLOP-weighted harmonic
    mean (``mlp_eta_compute``), since the down projection's K is the wide one."""
    tokens, logits = f"{p}_tokens", f"{p}_logit_tokens"

    def rows(t):
        return t / TOKEN

    def width(d):
        return d

    def per_input(params, k):
        return params / (k * PARAM)

    def o_k(v_dim, tp):
        return v_dim / tp

    def mlp_m(t, n_experts, k):
        routed = maximum(t / TOKEN * k / n_experts, lit(1.0))
        return where(n_experts.is_not_null(), routed, t / TOKEN)

    def mlp_n(n_experts, each, dense, tp, d):
        return where(n_experts.is_not_null(), each, dense) / (tp * d * PARAM)

    def mlp_down_k(n_experts, ffn, expert_ffn, tp):
        return where(n_experts.is_not_null(), expert_ffn, ffn) / tp

    def mlp_up_n(n_experts, each, dense, tp, d, ffn, expert_ffn):
        return mlp_n(n_experts, each, dense, tp, d) - mlp_down_k(n_experts, ffn, expert_ffn, tp)

    define(f"{p}_qkv_proj_gemm_m", [tokens], rows)
    define(f"{p}_qkv_proj_gemm_k", ["d_model"], width)
    define(f"{p}_qkv_proj_gemm_n", ["qkv_params_per_device", "d_model"], per_input)
    define(f"{p}_o_proj_gemm_m", [tokens], rows)
    define(f"{p}_o_proj_gemm_k", ["value_dim", "tp"], o_k)
    define(f"{p}_o_proj_gemm_n", ["d_model"], width)
    mlp_weights = ["n_experts", "expert_params_each", "dense_mlp_params_per_layer", "tp", "d_model"]
    mlp_width = ["n_experts", "ffn_dim", "expert_ffn_dim", "tp"]
    define(f"{p}_mlp_up_gemm_m", [tokens, "n_experts", "n_experts_per_token"], mlp_m)
    define(f"{p}_mlp_up_gemm_k", ["d_model"], width)
    define(f"{p}_mlp_up_gemm_n", [*mlp_weights, "ffn_dim", "expert_ffn_dim"], mlp_up_n)
    define(f"{p}_mlp_down_gemm_m", [tokens, "n_experts", "n_experts_per_token"], mlp_m)
    define(f"{p}_mlp_down_gemm_k", mlp_width, mlp_down_k)
    define(f"{p}_mlp_down_gemm_n", ["d_model"], width)
    define(f"{p}_lm_head_gemm_m", [logits], rows)
    define(f"{p}_lm_head_gemm_k", ["d_model"], width)
    define(f"{p}_lm_head_gemm_n", ["lm_head_params_per_device", "d_model"], per_input)

    for op in GEMM_SHAPES:  # the tiles and K split as columns: the η's expression reads each once
        shape = [f"{p}_{op}_gemm_m", f"{p}_{op}_gemm_n", f"{p}_{op}_gemm_k"]
        define(f"{p}_{op}_gemm_tiles", [shape[0], shape[1], "gemm_tile_m", "gemm_tile_n"], gemm_row_tiles)
        define(f"{p}_{op}_gemm_split_k", [f"{p}_{op}_gemm_tiles", shape[2], "gemm_units"], gemm_split_k)
        define(f"{p}_{op}_gemm_tile_efficiency", [*shape[:2], "gemm_tile_m", "gemm_tile_n", f"{p}_{op}_gemm_tiles"],
               gemm_row_tile_efficiency)
        define(f"{p}_{op}_eta_compute", [*shape, "gemm_units", "gemm_tile_m", "gemm_tile_n", "gemm_ceiling",
                                         "gemm_k_half", "gemm_best_fraction", "framework_eta_multiplier",
                                         "eta_compute", f"{p}_{op}_gemm_tiles", f"{p}_{op}_gemm_split_k",
                                         f"{p}_{op}_gemm_tile_efficiency"],
               gemm_eta_compute)
    define(f"{p}_mlp_eta_compute", [f"{p}_mlp_up_eta_compute", f"{p}_mlp_down_eta_compute", f"{p}_mlp_up_gemm_n",
                                     f"{p}_mlp_down_gemm_k"], mlp_eta_compute)


def operator_attention(p: str) -> None:
    """Register ``{p}_attention_eta_compute``: the fused-attention model (``pipeline.walls.
    attention_kernel``) where the row has an attention ceiling (compute_model "kernel"), else the
    profile's eta_compute. Its shape: the mean keys per query = query-key pairs / queries per
    sequence (S/2 in a causal prefill, the context in decode), the head dimension, and the query
    blocks = sequences x the device's query heads (ceil(H / tp)) x ceil(queries per sequence / 128)."""
    tokens, seqs = f"{p}_tokens", f"{p}_sequences"

    def eta(pairs, t, s, n_heads, tp, head_dim, units, ceiling, s_half, d_half, eta_compute):
        queries = t / s / TOKEN
        blocks = attention_query_blocks(s, (n_heads / tp).ceil(), queries)
        return attention_eta_compute(pairs / queries, head_dim, blocks, units, ceiling, s_half, d_half, eta_compute)

    define(f"{p}_attention_eta_compute", [f"{p}_attention_pairs", tokens, seqs, "n_heads", "tp", "head_dim",
                                          "gemm_units", "attention_ceiling", "attention_s_half", "attention_d_half",
                                          "eta_compute"], eta)


for _phase in ("prefill", "decode", "step"):
    operator_gemms(_phase)
    operator_attention(_phase)
