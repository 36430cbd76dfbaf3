"""Wall 1 for training, the attention core without a fused attention kernel: its two products run
as cuBLAS strided-batched GEMMs, one small GEMM per (sequence, head), timed by the same GEMM
shape model as the weight matmuls (``pipeline.walls.gemm``).

Megatron-LM's ``ParallelAttention`` (megatron/model/transformer.py, the code of Narayanan et al.
2021 and Korthikanti et al. 2022) computes the scores with ``torch.baddbmm`` over the
[b·a/tp, s_q, d_head] x [b·a/tp, d_head, s_k] views (output s_q x s_k, inner d_head), applies the
fused scale-mask-softmax and dropout (element-wise kernels: ``pipeline.walls.training_traffic``),
then the context with ``torch.bmm`` (output s_q x d_head, inner s_k). The chain rule gives the
backward GEMMs: of S = Q·Kᵀ, dQ = dS·K and dK = dSᵀ·Q (output s x d_head, inner s); of O = P·V,
dP = dO·Vᵀ (output s x s, inner d_head) and dV = Pᵀ·dO (output s x d_head, inner s). The
products whose inner dimension is d_head = 128 are far from peak on the K loop alone (the GEMM
model's K / (K + k_half)): each output tile's epilogue writes its s x s scores after only
d_head multiply-adds per element.

Null with a fused attention kernel (FlashAttention: the attention fit or the profile η times
it), without a GEMM kernel fit, for MoE models (as the weight matmuls), and where attention runs
at another precision than the GEMM fit's (an FP8 recipe keeps attention in 16 bits).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, minimum, only_where, total
from pipeline.walls.gemm import (
    gemm_k_efficiency,
    gemm_split_k,
    gemm_tile_efficiency,
    gemm_tiles,
    gemm_wave_efficiency,
)
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import training_column


def batched_gemm_efficiency(batch: UExpr, m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr,
                            tile_n: UExpr, ceiling: UExpr, k_half: UExpr, best_fraction: UExpr) -> UExpr:
    """``gemm.gemm_capped_efficiency`` of ``batch`` independent GEMMs of one shape in one launch
    (cuBLAS ``gemmStridedBatched``): the tiles of all of them share the waves, each keeps its own
    tile padding and K loop."""
    tiles = gemm_tiles(m, n, tile_m, tile_n) * batch
    split = gemm_split_k(tiles, k, units)
    eta = (ceiling * gemm_wave_efficiency(tiles * split, units) * gemm_tile_efficiency(m, n, tile_m, tile_n)
           * gemm_k_efficiency(k / split, k_half))
    return minimum(eta, best_fraction)


def _weighted(gemms: list, batch: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr, ceiling: UExpr,
              k_half: UExpr, best_fraction: UExpr, multiplier: UExpr) -> UExpr:
    """sum(M·N·K) / sum(M·N·K / η) over batched GEMMs given as (M, N, K)."""
    work = [m * n * k for m, n, k in gemms]
    eff = [batched_gemm_efficiency(batch, m, n, k, units, tile_m, tile_n, ceiling, k_half, best_fraction) * multiplier
           for m, n, k in gemms]
    return total(*work) / total(*(w / e for w, e in zip(work, eff, strict=True)))


def _shapes(seq_len: UExpr, cp: UExpr, head_dim: UExpr) -> tuple[UExpr, UExpr, UExpr]:
    """Queries on this GPU (s / cp), the keys each sees (the whole sequence) and d_head."""
    s = seq_len / TOKEN
    return s / cp, s, head_dim


def _unfused(flash_attention: Plain, n_experts: UExpr, gemm_units: UExpr, peak_flop_per_s: UExpr,
             attention_peak_flop_per_s: UExpr, eta: UExpr) -> UExpr:
    same_precision = (attention_peak_flop_per_s >= peak_flop_per_s) & (attention_peak_flop_per_s <= peak_flop_per_s)
    return only_where(~flash_attention & n_experts.is_null() & gemm_units.is_not_null() & same_precision, eta)


@training_column
def unfused_attention_eta_compute(flash_attention: Plain, microbatch: UExpr, seq_len: UExpr, cp: UExpr, tp: UExpr,
                                  n_heads: UExpr, head_dim: UExpr, n_experts: UExpr, gemm_units: UExpr,
                                  gemm_tile_m: UExpr, gemm_tile_n: UExpr, gemm_ceiling: UExpr, gemm_k_half: UExpr,
                                  gemm_best_fraction: UExpr, framework_eta_multiplier: UExpr,
                                  peak_flop_per_s: UExpr, attention_peak_flop_per_s: UExpr) -> UExpr:
    """Forward attention core without a fused kernel: Q·Kᵀ (s_q x s_k, inner d_head) and P·V
    (s_q x d_head, inner s_k), each batched over microbatch x heads / tp, FLOP-weighted (equal FLOPs)."""
    q, kv, d = _shapes(seq_len, cp, head_dim)
    batch = microbatch * n_heads / tp
    eta = _weighted([(q, kv, d), (q, d, kv)], batch, gemm_units, gemm_tile_m, gemm_tile_n, gemm_ceiling,
                    gemm_k_half, gemm_best_fraction, framework_eta_multiplier)
    return _unfused(flash_attention, n_experts, gemm_units, peak_flop_per_s, attention_peak_flop_per_s, eta)


@training_column
def unfused_attention_backward_eta_compute(flash_attention: Plain, microbatch: UExpr, seq_len: UExpr, cp: UExpr,
                                           tp: UExpr, n_heads: UExpr, head_dim: UExpr, n_experts: UExpr,
                                           gemm_units: UExpr, gemm_tile_m: UExpr, gemm_tile_n: UExpr,
                                           gemm_ceiling: UExpr, gemm_k_half: UExpr, gemm_best_fraction: UExpr,
                                           framework_eta_multiplier: UExpr, peak_flop_per_s: UExpr,
                                           attention_peak_flop_per_s: UExpr) -> UExpr:
    """Backward of the same core (2 x its forward FLOPs): dP = dO·Vᵀ (s_q x s_k, inner d_head), dV
    = Pᵀ·dO (s_k x d_head, inner s_q), dQ = dS·K (s_q x d_head, inner s_k), dK = dSᵀ·Q (s_k x
    d_head, inner s_q); each the forward's M·N·K FLOPs."""
    q, kv, d = _shapes(seq_len, cp, head_dim)
    batch = microbatch * n_heads / tp
    eta = _weighted([(q, kv, d), (kv, d, q), (q, d, kv), (kv, d, q)], batch, gemm_units, gemm_tile_m, gemm_tile_n,
                    gemm_ceiling, gemm_k_half, gemm_best_fraction, framework_eta_multiplier)
    return _unfused(flash_attention, n_experts, gemm_units, peak_flop_per_s, attention_peak_flop_per_s, eta)

