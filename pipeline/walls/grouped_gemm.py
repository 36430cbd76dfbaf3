"""The η of an MoE layer's grouped expert GEMMs (serving): the shape model's η (``operator_shapes``, with the
grouped launch's tiles of ``expert_parallel``) lowered where the launch's compute and its weight streaming are of
the same size and neither hides the other.

A grouped MoE kernel (vLLM / SGLang ``fused_moe_kernel``, DeepGEMM's m-grouped GEMMs, TensorRT-LLM's CUTLASS MoE
GEMM) streams each running expert's weight tiles through a K loop of a few pipeline stages, so its time is not the
roofline's max(c, m) (Williams et al. 2009: loads and math fully overlapped) but between it and c + m (the
Execution-Cache-Memory model, Treibig and Hager 2010: the non-overlapping parts add). The form is the ℓp norm
||(c, m)||_p = max(c, m) (1 + (min / max)^p)^(1/p): the roofline far from the ridge, 2^(1/p) x max at c = m.
Carried as η (the time's compute side): c' = ||(c, m)||_p >= max(c, m), i.e. η' = η (1 + (m / c)^p)^(-1/p).

p: fitted to kernel microbenchmarks only (registry_data/research/r-moegemm/README.md): vLLM PR #24700's
benchmark_moe.py rows on H100 (r-dsr1/fused_moe.csv, tuned configs: p = 2.5 the smallest mean |log(model /
measured)|, r-dsr1/ridge_fit.py) and DeepGEMM's grouped FP8 rows on H800 (r-kernels/gemm.csv, README @a6d97a1 and
@327ec92: p = 2.0-2.5 within 0.2 % of each other, r-moegemm/grouped_check.py).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, where
from pipeline.walls.operator_shapes import mlp_eta_compute
from pipeline.walls.registries import define_serving, serving_column
from pipeline.walls.serving import PHASES

GROUPED_OVERLAP_P = 2.5  # the ℓp exponent (module docstring)


def overlap_eta(eta: UExpr, flop: UExpr, nbytes: UExpr, peak: UExpr, bandwidth: UExpr, eta_memory: UExpr,
                p: float = GROUPED_OVERLAP_P) -> UExpr:
    """η (1 + (m / c)^p)^(-1/p), c = flop / (peak x η), m = bytes / (bandwidth x eta_memory): the compute side's η
    at which c' = ||(c, m)||_p (module docstring). 3-4-5 at p = 2: c = 4, m = 3 gives c' = 5, η' = 0.8 η."""
    ratio = (nbytes / (bandwidth * eta_memory)) / (flop / (peak * eta))
    return eta * (1.0 + ratio.to("").power(lit(p))).power(lit(-1.0 / p))


def _grouped_eta(p: str) -> None:
    """``{p}_mlp_eta_compute``: the MLP's η (``operator_shapes.mlp_eta_compute``), with ``overlap_eta`` for an MoE
    model's (routed experts: ``n_experts`` not null); a dense MLP's unchanged."""

    def eta(up, down, up_n, down_k, n_experts, flop, nbytes, peak, bandwidth, eta_memory):
        base = mlp_eta_compute(up, down, up_n, down_k)
        lossy = overlap_eta(base, flop, nbytes, peak, bandwidth, eta_memory, GROUPED_OVERLAP_P)
        return where(n_experts.is_not_null(), lossy, base)

    define_serving(f"{p}_mlp_eta_compute", [f"{p}_mlp_up_eta_compute", f"{p}_mlp_down_eta_compute",
                                            f"{p}_mlp_up_gemm_n", f"{p}_mlp_down_gemm_k", "n_experts",
                                            f"{p}_mlp_flop", f"{p}_mlp_gemm_bytes", "linear_peak_flop_per_s",
                                            "memory_bandwidth_bytes_per_s", "eta_memory"], eta)


for _phase in PHASES:
    _grouped_eta(_phase)


def overlap_stream_share(memory_s: UExpr, time_s: UExpr, p: float = GROUPED_OVERLAP_P) -> UExpr:
    """d ln T / d ln(1 / m) of T = ||(c, m)||_p: (m / T)^p (and (c / T)^p for c; the two sum to 1, since
    T^p = c^p + m^p). 3-4-5 at p = 2: m = 3, T = 5 gives 9 / 25."""
    return (memory_s / maximum(time_s, lit(1e-30, "s"))).to("").power(lit(p))


@serving_column
def decode_mlp_overlap_stream_time_s(n_layers: UExpr, n_experts: UExpr, decode_mlp_gemm_bytes: UExpr,
                                     memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr,
                                     decode_mlp_gemm_time_s: UExpr, decode_mlp_is_compute_bound: Plain,
                                     dequant_overhead_fraction: UExpr, is_weight_quantized: Plain) -> UExpr:
    """Wall 21 (``serving_sensitivity``): the part of a decode pass's MoE MLP GEMM time that moves with the memory
    bandwidth and not with the peak where the GEMMs are compute-bound, i.e. their time is ||(c, m)||_p
    (``overlap_eta``): d T / d ln bandwidth = -T (m / T)^p, d T / d ln peak = -T (c / T)^p = -(T - T (m / T)^p);
    x L layers, x (1 + the dequantization fraction) where the weights are quantized (``fidelity``'s overhead:
    a fraction of the GEMMs' time). 0 for a dense MLP (the roofline) and where the GEMMs are memory-bound (T = the
    streaming time with its kernels' α, which does not move with the peak)."""
    memory = (decode_mlp_gemm_bytes / (memory_bandwidth_bytes_per_s * eta_memory)).to("s")
    moved = n_layers * decode_mlp_gemm_time_s * overlap_stream_share(memory, decode_mlp_gemm_time_s)
    moved = moved * (1.0 + where(is_weight_quantized, dequant_overhead_fraction, 0))
    return where(n_experts.is_not_null() & decode_mlp_is_compute_bound, moved, 0.0 * decode_mlp_gemm_time_s)
