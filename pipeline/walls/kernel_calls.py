"""One kernel call alone (issue 12 item 6): a GEMM, an attention call or a collective, through
the terms the studies' operators use, so a wrong serving or training number can be traced to
its GEMM, attention or all-reduce.

- The roofline: an operator's time is the larger of FLOPs / (peak x eta_compute) and bytes /
  (bandwidth x eta_memory) (Williams, Waterman and Patterson 2009, "Roofline", CACM 52(4));
  the serving study's operators use these two functions.
- A GEMM's eta_compute is its shape's (``pipeline.walls.gemm``) where the accelerator has a
  kernel fit, else the profile's η (``gemm_eta_compute``, shared with the serving operators).
- Attention: 4 b h d x (query, key) pairs FLOPs (scores Q.K^T and P.V, 2 FLOP per MAC; the
  FlashAttention papers' count, Dao et al. 2022 §4 / Shah et al. 2024 §4.1), causal pairs
  S^2 / 2 as in the serving study; bytes: Q read, O written, K and V read once (a fused
  kernel keeps the scores on chip, FlashAttention's IO count, Dao et al. 2022 Theorem 2 at
  large SRAM). Its η: ``attention_eta_compute``, shared with the studies' attention operators.
- Collectives: the communication wall's ring / fitted all-reduce; nccl-tests' bus bandwidth
  (NVIDIA/nccl-tests PERFORMANCE.md): algbw = size / time, busbw = algbw x 2(n-1)/n for
  all-reduce and x (n-1)/n for all-gather, reduce-scatter and all-to-all, ``size`` being
  nccl-tests' size column (all-reduce: the buffer per rank; all-gather: the gathered output).
"""

from __future__ import annotations

from pipeline.units import UExpr, lit, maximum, where
from pipeline.walls.attention_kernel import attention_efficiency
from pipeline.walls.gemm import gemm_capped_efficiency

FLOP_PER_MAC = lit(2.0, "FLOP")
ELEMENT = lit(1.0, "elem")
COLLECTIVE_OPS = ("all_reduce", "all_gather", "reduce_scatter", "all_to_all")
# nccl-tests' busbw factor per collective, x (n-1)/n (PERFORMANCE.md "Bus bandwidth").
BUSBW_FACTOR = {"all_reduce": 2.0, "all_gather": 1.0, "reduce_scatter": 1.0, "all_to_all": 1.0}


def roofline_time_s(flop: UExpr, nbytes: UExpr, peak: UExpr, eta_c: UExpr, bw: UExpr, eta_m: UExpr) -> UExpr:
    """max(FLOPs / (peak x eta_compute), bytes / (bandwidth x eta_memory))."""
    return maximum((flop / (peak * eta_c)).to("s"), (nbytes / (bw * eta_m)).to("s"))


def roofline_compute_bound(flop: UExpr, nbytes: UExpr, peak: UExpr, eta_c: UExpr, bw: UExpr, eta_m: UExpr):
    """True where the compute term is the larger one."""
    return (flop / (peak * eta_c)).to("s") >= (nbytes / (bw * eta_m)).to("s")


def memory_kernels_time_s(nbytes: UExpr, bw: UExpr, eta_m: UExpr, kernels: float, latency: UExpr) -> UExpr:
    """Hockney's α–β model of memory-bound kernels (Hockney 1994, Parallel Computing 20(3)):
    kernels x α + bytes / β, α the fixed time of one kernel (``memory_latency_s``, fitted to
    small-M GEMM sweeps by ``pipeline.validation.latency_fit``), β = bandwidth x eta_memory."""
    return (nbytes / (bw * eta_m)).to("s") + kernels * latency


def latency_roofline_time_s(flop: UExpr, nbytes: UExpr, peak: UExpr, eta_c: UExpr, bw: UExpr, eta_m: UExpr,
                            kernels: float, latency: UExpr) -> UExpr:
    """The roofline with the memory side's fixed time: max(FLOPs / (peak x eta_compute),
    kernels x α + bytes / (bandwidth x eta_memory)). A compute-bound kernel's fixed costs are in
    its η already (the GEMM and attention models are fitted to whole-kernel timings)."""
    return maximum((flop / (peak * eta_c)).to("s"), memory_kernels_time_s(nbytes, bw, eta_m, kernels, latency))


def latency_roofline_compute_bound(flop: UExpr, nbytes: UExpr, peak: UExpr, eta_c: UExpr, bw: UExpr, eta_m: UExpr,
                                   kernels: float, latency: UExpr):
    """True where the compute term is the larger one (``latency_roofline_time_s``)."""
    return (flop / (peak * eta_c)).to("s") >= memory_kernels_time_s(nbytes, bw, eta_m, kernels, latency)


def gemm_eta_compute(m: UExpr, n: UExpr, k: UExpr, units: UExpr, tile_m: UExpr, tile_n: UExpr, ceiling: UExpr,
                     k_half: UExpr, best_fraction: UExpr, multiplier: UExpr, eta_compute: UExpr,
                     tiles: UExpr | None = None, split: UExpr | None = None,
                     tile_efficiency: UExpr | None = None) -> UExpr:
    """A matmul's η: the GEMM shape model (capped at the best shape measured) x the framework's
    multiplier where the row has kernel parameters (``units`` not null), else the profile's
    ``eta_compute``. ``tiles``, ``split``, ``tile_efficiency``: ``gemm_efficiency``'s, where the caller holds them
    as columns."""
    kernel = gemm_capped_efficiency(m, n, k, units, tile_m, tile_n, ceiling, k_half, best_fraction, tiles,
                                    split, tile_efficiency) * multiplier
    return where(units.is_not_null(), kernel, eta_compute)


def gemm_flop(m: UExpr, n: UExpr, k: UExpr) -> UExpr:
    """2 M N K: one multiply-accumulate per (row, column, k)."""
    return FLOP_PER_MAC * m * n * k


def gemm_bytes(m: UExpr, n: UExpr, k: UExpr, bytes_per_element: UExpr) -> UExpr:
    """A and B read once, C written once, at the compute dtype's element size."""
    return (m * k + k * n + m * n) * ELEMENT * bytes_per_element


def attention_pairs(q_len: UExpr, kv_len: UExpr, causal) -> UExpr:
    """(query, key) pairs per head: q x kv, or causal q x (kv - q) + q^2 / 2 (the queries are the
    last q of the kv positions; q = kv gives the serving study's S^2 / 2)."""
    return where(causal, q_len * (kv_len - q_len) + 0.5 * q_len * q_len, q_len * kv_len)


def attention_flop(batch: UExpr, heads: UExpr, head_dim: UExpr, pairs: UExpr) -> UExpr:
    """4 b h d pairs: Q.K^T and P.V, each a MAC per (pair, head dimension)."""
    return 2.0 * FLOP_PER_MAC * batch * heads * head_dim * pairs


def attention_bytes(batch: UExpr, heads: UExpr, kv_heads: UExpr, head_dim: UExpr, q_len: UExpr, kv_len: UExpr,
                    bytes_per_element: UExpr) -> UExpr:
    """Q read and O written (b q h d each), K and V read (b kv h_kv d each)."""
    elements = batch * head_dim * (2.0 * q_len * heads + 2.0 * kv_len * kv_heads)
    return elements * ELEMENT * bytes_per_element


def attention_eta_compute(keys_per_query: UExpr, head_dim: UExpr, query_blocks: UExpr, units: UExpr,
                          ceiling: UExpr, s_half: UExpr, d_half: UExpr, eta_compute: UExpr) -> UExpr:
    """A fused attention call's η: the attention kernel model (``pipeline.walls.attention_kernel``)
    where the row has an attention ceiling (compute_model "kernel"), else the profile's η."""
    kernel = attention_efficiency(keys_per_query, head_dim, query_blocks, units, ceiling, s_half, d_half)
    return where(ceiling.is_not_null(), kernel, eta_compute)


def bus_bandwidth(factor: UExpr, n: UExpr, message: UExpr, time_s: UExpr) -> UExpr:
    """nccl-tests busbw: message / time x factor (n-1)/n."""
    return (message / time_s * factor * (n - 1.0) / n).to("B/s")
