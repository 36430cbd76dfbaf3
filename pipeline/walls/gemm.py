"""Achieved fraction of peak FLOP/s of one dense GEMM C[M,N] = A[M,K]·B[K,N], from its shape.

A GEMM kernel splits C into output tiles of tile_m x tile_n, one per CTA (CUTLASS's default
Hopper/Ampere threadblock tiles are 128x128 or 128x256, cuBLASLt's heuristics pick among the
same family; hipBLASLt's MI300X macro tiles are 256x256 or 256x128). Three losses multiply
the kernel's best-shape ceiling (the MAMF of Bekman's mamf-finder: the best mean FLOP/s of a
brute-force shape search, as a fraction of peak):

- tile quantization: a tile is computed whole, so M and N are padded to tile multiples
  (M pads to 64 or 128 rows when it is that small: Hopper's wgmma and AMD's MFMA kernels
  work on 64-row blocks and the libraries keep 128-row tiles for short M);
- wave quantization: the tiles run in waves of one tile per SM/CU, the last wave part-empty,
  efficiency = tiles / (waves x units), waves = ceil(tiles / units) (NVIDIA, "Matrix
  Multiplication Background User's Guide", Wave Quantization);
- the K loop: each tile's prologue/epilogue (loading, storing C) is amortised over its K
  loop, a saturating K / (K + k_half). That fixed cost is memory traffic, so in K steps it is
  proportional to the chip's peak / memory bandwidth: the catalog's k_half is one fitted
  coefficient times that ridge point (``pipeline.validation.gemm_fit``).

When C has fewer tiles than the device has units, libraries split K (CUTLASS's split-K and
stream-K, Osama et al. 2023; cuBLASLt's and hipBLASLt's splitK heuristics): each tile's K
loop is cut into ``split`` = floor(units / tiles) pieces of at least ``GEMM_MIN_SPLIT_K``,
so more units work, each on a shorter K loop.

Bandwidth is not here: a small-M GEMM is memory-bound through the roofline's memory term
(``op_time`` in ``pipeline.walls.serving``), so this is the compute side only.
"""

from __future__ import annotations

from pipeline.units import UExpr, lit, maximum, minimum, where

GEMM_MIN_TILE_M = lit(64.0)
GEMM_MIN_SPLIT_K = lit(256.0)  # the shortest K piece a split-K launch keeps (a few 64-deep k-blocks)
# Every GEMM of the kernel fit writes a 16-bit C (pipeline.validation.gemm_fit.OUT_BYTES): its k_half is the
# fixed cost of a tile whose epilogue stores 2-byte elements.
GEMM_FIT_OUTPUT_BYTES = lit(2.0, "B/elem")


def gemm_tile_m(m: UExpr, tile_m: UExpr) -> UExpr:
    """The M extent of a tile: the 64- or 128-row tile when M fits one, else the library's tile."""
    small = where(m <= GEMM_MIN_TILE_M, GEMM_MIN_TILE_M, 2.0 * GEMM_MIN_TILE_M)
    return where(m <= 2.0 * GEMM_MIN_TILE_M, minimum(small, tile_m), tile_m)


def gemm_tiles(m: UExpr, n: UExpr, tile_m: UExpr, tile_n: UExpr) -> UExpr:
    """Output tiles of C: ceil(M / tile_m) x ceil(N / tile_n)."""
    tm = gemm_tile_m(m, tile_m)
    return (m / tm).ceil() * (n / tile_n).ceil()


def gemm_wave_efficiency(tiles: UExpr, units: UExpr) -> UExpr:
    """tiles / (ceil(tiles / units) x units): the busy share of the SMs over all waves."""
    return tiles / ((tiles / units).ceil() * units)


def gemm_tile_efficiency(m: UExpr, n: UExpr, tile_m: UExpr, tile_n: UExpr, tiles: UExpr | None = None) -> UExpr:
    """Useful share of the padded C: M·N / (tiles x tile area) (``tiles``: ``gemm_tiles``, when a column)."""
    tm = gemm_tile_m(m, tile_m)
    return (m * n) / ((gemm_tiles(m, n, tile_m, tile_n) if tiles is None else tiles) * tm * tile_n)


def gemm_k_efficiency(k: UExpr, k_half: UExpr) -> UExpr:
    """Saturating K loop: K / (K + k_half), k_half the K at which a tile runs at half speed."""
    return k / (k + k_half)


def gemm_k_half_at_output(k_half: UExpr, output_bytes_per_element: UExpr) -> UExpr:
    """k_half of a GEMM that writes C at ``output_bytes_per_element``: the fit's k_half x output bytes / 2.
    The tile's fixed cost is the memory traffic its K loop does not hide, and the fit says which part:
    with one coefficient x ridge point, its fp8 rows (1-byte A and B, 16-bit C; DeepGEMM, vLLM's
    scaled_mm) take twice bf16's k_half in K steps, i.e. the same fixed *time* although their A/B
    stages carry half the bytes, so that time is the epilogue's store of C (tile_m x tile_n x output
    bytes, CUTLASS "Efficient GEMM in CUDA": the epilogue), not the A/B prologue. An engine that
    writes 8-bit C (TensorRT int8: every layer's output quantized to int8 in the GEMM/conv epilogue,
    Wu et al. 2020, arXiv:2004.09602 §4; TensorRT "Layer Fusion Catalog", quantize fused into the
    preceding layer) halves it. 16-bit C: unchanged."""
    return k_half * (output_bytes_per_element / GEMM_FIT_OUTPUT_BYTES)


def gemm_split_k(tiles: UExpr, k: UExpr, units: UExpr) -> UExpr:
    """K pieces per tile: floor(units / tiles), at least 1, at most ceil(K / GEMM_MIN_SPLIT_K)."""
    return minimum(maximum((units / tiles).floor(), lit(1.0)), maximum((k / GEMM_MIN_SPLIT_K).ceil(), lit(1.0)))


def gemm_rows(m: UExpr) -> UExpr:
    """The M a GEMM computes: M below one row counts as one."""
    return maximum(m, lit(1.0))


def gemm_efficiency(m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr,
                    ceiling: UExpr, k_half: UExpr, tiles: UExpr | None = None, split: UExpr | None = None,
                    tile_efficiency: UExpr | None = None) -> UExpr:
    """Achieved fraction of peak of one GEMM: ceiling x wave x tile x K efficiency, the waves
    counted over tiles x K pieces and the K loop being one piece's. Shapes are plain counts
    (M, N, K elements), ``units`` the SM/CU count; M below one row counts as one (``gemm_rows``).
    ``tiles`` (``gemm_tiles`` at ``gemm_rows``), ``split`` (``gemm_split_k``) and ``tile_efficiency``
    (``gemm_tile_efficiency`` at ``gemm_rows``): the same values when a caller holds them as columns, so a
    plan does not repeat them inline (the serving passes)."""
    m = gemm_rows(m)
    tiles = gemm_tiles(m, n, tile_m, tile_n) if tiles is None else tiles
    split = gemm_split_k(tiles, k, units) if split is None else split
    if tile_efficiency is None:
        tile_efficiency = gemm_tile_efficiency(m, n, tile_m, tile_n, tiles)
    return ceiling * gemm_wave_efficiency(tiles * split, units) * tile_efficiency * gemm_k_efficiency(k / split, k_half)


def gemm_capped_efficiency(m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr,
                           ceiling: UExpr, k_half: UExpr, best_fraction: UExpr, tiles: UExpr | None = None,
                           split: UExpr | None = None, tile_efficiency: UExpr | None = None) -> UExpr:
    """``gemm_efficiency``, at most ``best_fraction``: the best fraction of peak any shape reached
    in a brute-force shape search on this hardware and precision (MAMF, Bekman's mamf-finder), so
    no shape runs faster than the best shape measured."""
    return minimum(gemm_efficiency(m, n, k, units, tile_m, tile_n, ceiling, k_half, tiles, split, tile_efficiency),
                   best_fraction)
