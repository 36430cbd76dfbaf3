"""Achieved fraction of peak FLOP/s of one fused attention call (FlashAttention-2/3/4 class), from its shape.

A fused attention kernel gives each CTA a block of ``ATTENTION_TILE_Q`` = 128 query rows of
one head (FlashAttention-2, Dao 2023, §3.1: the grid is batch x heads x ceil(seq / block);
FlashAttention-3, Shah et al. 2024, keeps 128-row query blocks on Hopper) and loops over that
head's keys in blocks. Three factors multiply the kernel's ceiling (its best fraction of peak,
fitted per hardware, precision and kernel to the published tables by
``pipeline.validation.attention_fit``):

- wave quantization over the SMs, as for a GEMM (``pipeline.walls.gemm.gemm_wave_efficiency``):
  query blocks / (waves x units);
- the K loop: each block's prologue and epilogue (loading Q, the final rescale and store of O)
  is amortised over the keys it visits, a saturating L / (L + s_half), L the mean keys per
  query (S for a full mask, S / 2 under a causal mask, the context in decode);
- the head dimension: the softmax (exp, max, rescale) costs per score while the two matmuls
  cost 4·d per score, so a narrow head spends a larger share on the non-matmul units (the
  FlashAttention-3 paper, §3: H100 SXM5 has 989 TFLOPS of matmul but 3.9 TFLOPS of exp),
  a saturating d / (d + d_half).

FLOPs follow FlashAttention's convention (4·S²·d per head forward, halved under a causal
mask), the same as ``pipeline.walls.operators``' attention FLOPs (S²/2 causal pairs).
"""

from __future__ import annotations

from pipeline.units import UExpr, lit, maximum
from pipeline.walls.gemm import gemm_wave_efficiency

ATTENTION_TILE_Q = lit(128.0)  # query rows per CTA (FlashAttention-2 §3.1; FA3's Hopper kernels)


def attention_query_blocks(sequences: UExpr, heads: UExpr, queries_per_sequence: UExpr) -> UExpr:
    """CTAs of one call: sequences x heads x ceil(queries per sequence / 128)."""
    return sequences * heads * (maximum(queries_per_sequence, lit(1.0)) / ATTENTION_TILE_Q).ceil()


def attention_efficiency(keys_per_query: UExpr, head_dim: UExpr, query_blocks: UExpr, units: UExpr,
                         ceiling: UExpr, s_half: UExpr, d_half: UExpr) -> UExpr:
    """Achieved fraction of peak of one fused attention call: ceiling x wave x L / (L + s_half)
    x d / (d + d_half). Plain counts: ``keys_per_query`` L (mean keys a query attends to),
    ``head_dim`` d, ``query_blocks`` (``attention_query_blocks``), ``units`` the SM/CU count."""
    keys = maximum(keys_per_query, lit(1.0))
    return (ceiling * gemm_wave_efficiency(query_blocks, units) * keys / (keys + s_half)
            * head_dim / (head_dim + d_half))
