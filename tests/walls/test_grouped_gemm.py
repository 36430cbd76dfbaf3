"""The grouped MoE GEMMs' η (pipeline.walls.grouped_gemm) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import col, unit
from pipeline.walls.grouped_gemm import overlap_eta


def _eta(flop: float, nbytes: float, p: float) -> float:
    """overlap_eta at η 0.5, peak 1e15 FLOP/s, 1e12 B/s x eta_memory 1."""
    frame = pl.DataFrame({"flop": [flop], "bytes": [nbytes]})
    expr = overlap_eta(col("eta", ""), col("flop", "FLOP"), col("bytes", "B"), col("peak", "FLOP/s"),
                       col("bw", "B/s"), col("eta_m", ""), p)
    return frame.with_columns(eta=0.5, peak=1e15, bw=1e12, eta_m=1.0).select(expr.expr).item()


def test_overlap_is_the_lp_norm_by_hand():
    """3-4-5 at p = 2: c = 2e12 / (1e15 x 0.5) = 4 ms, m = 3e9 / 1e12 = 3 ms, ||(4, 3)||_2 = 5 ms, so the compute
    side's η is 0.5 x 4 / 5 = 0.4. At the ridge (c = m = 4 ms) and p = 2.5: c' = 4 x 2^(1/2.5) = 4 x 1.319508
    = 5.278 ms, η = 0.5 / 1.319508 = 0.378929. Memory-bound (c = 1, m = 4 ms), p = 2: c' = sqrt(17) = 4.1231 ms,
    η = 0.5 x 1 / 4.1231 = 0.121268."""
    assert _eta(2e12, 3e9, 2.0) == pytest.approx(0.4, rel=1e-12)
    assert _eta(2e12, 4e9, 2.5) == pytest.approx(0.5 / 2 ** 0.4, rel=1e-12)
    assert _eta(5e11, 4e9, 2.0) == pytest.approx(0.5 / 17 ** 0.5, rel=1e-12)


def test_far_from_the_ridge_is_the_roofline():
    """c / m = 20 at p = 2.5: (1 + 0.05^2.5)^(-0.4) = (1 + 5.59e-4)^(-0.4) = 0.99978: within 0.03 %."""
    assert _eta(2e12, 2e8, 2.5) == pytest.approx(0.5 * (1 + 0.05 ** 2.5) ** -0.4, rel=1e-12)
    assert _eta(2e12, 2e8, 2.5) > 0.5 * 0.9997


def test_serving_mlp_eta_is_lowered_for_moe_only():
    """The serving study's decode MLP η: a dense row keeps the FLOP-weighted harmonic mean of its GEMMs (up 0.6 at
    N = 2 x 4096, down 0.3 at K = 4096: 3 / (2 / 0.6 + 1 / 0.3) = 0.45); an MoE row with the same GEMMs at c = m
    (1.8e12 FLOP / (1e15 x 0.45) = 4 ms, 4e9 B / 1e12 B/s = 4 ms) takes 0.45 / 2^(1/2.5) = 0.341037."""
    cols = {"decode_mlp_up_eta_compute": [0.6, 0.6], "decode_mlp_down_eta_compute": [0.3, 0.3],
            "decode_mlp_up_gemm_n": [8192.0] * 2, "decode_mlp_down_gemm_k": [4096.0] * 2,
            "n_experts": [None, 8.0], "decode_mlp_flop": [1.8e12] * 2, "decode_mlp_gemm_bytes": [4e9] * 2,
            "linear_peak_flop_per_s": [1e15] * 2, "memory_bandwidth_bytes_per_s": [1e12] * 2, "eta_memory": [1.0] * 2}
    units = {k: None for k in cols} | {"decode_mlp_flop": unit("FLOP"), "decode_mlp_gemm_bytes": unit("B"),
                                        "linear_peak_flop_per_s": unit("FLOP/s"),
                                        "memory_bandwidth_bytes_per_s": unit("B/s")}
    units |= {k: unit("") for k in cols if units[k] is None}
    frame = pl.DataFrame(cols, schema={k: pl.Float64 for k in cols})
    out = formulas.plan(frame.lazy(), units, ["decode_mlp_eta_compute"], FORMULAS).frame.collect()
    assert out["decode_mlp_eta_compute"].to_list() == pytest.approx([0.45, 0.45 / 2 ** 0.4], rel=1e-12)


def test_decode_overlap_stream_time_by_hand():
    """Wall 21's moved time (``decode_mlp_overlap_stream_time_s``): T (m / T)^p x L x (1 + dequant fraction).
    At the ridge (c = m = 4 ms, p = 2.5) T = 4 x 2^0.4 = 5.27803 ms and (m / T)^p = 1 / 2: 2.63902 ms a layer, x 32
    layers = 84.4485 ms. c = 4, m = 2 ms: (m / T)^p = 2^2.5 / (4^2.5 + 2^2.5) = 1 / (1 + 2^2.5) = 0.150221, T =
    (32 + 5.65685)^0.4 = 4.26911 ms, x 32 x 1.1 (int4 weights, fraction 0.1) = 22.5741 ms. A dense row, and an MoE
    row whose GEMMs are memory-bound, move nothing beyond their bound."""
    ridge = 4e-3 * 2 ** 0.4
    off = (32 + 2 ** 2.5) ** 0.4 * 1e-3
    n = 4
    cols = {"n_layers": [32.0] * n, "n_experts": [8.0, 8.0, None, 8.0], "decode_mlp_gemm_bytes": [4e9, 2e9, 4e9, 4e9],
            "memory_bandwidth_bytes_per_s": [1e12] * n, "eta_memory": [1.0] * n,
            "decode_mlp_gemm_time_s": [ridge, off, ridge, 4e-3], "dequant_overhead_fraction": [0.1] * n}
    units = {k: unit("") for k in cols} | {"decode_mlp_gemm_bytes": unit("B"), "decode_mlp_gemm_time_s": unit("s"),
                                           "memory_bandwidth_bytes_per_s": unit("B/s")}
    flags = {"decode_mlp_is_compute_bound": [True, True, True, False], "is_weight_quantized": [False, True, True, True]}
    units |= {k: None for k in flags}
    frame = pl.DataFrame(cols, schema={k: pl.Float64 for k in cols}).with_columns(pl.DataFrame(flags))
    out = formulas.plan(frame.lazy(), units, ["decode_mlp_overlap_stream_time_s"], FORMULAS).frame.collect()
    hand = [32 * ridge / 2, 32 * 1.1 * off / (1 + 2 ** 2.5), 0.0, 0.0]
    assert out["decode_mlp_overlap_stream_time_s"].to_list() == pytest.approx(hand, rel=1e-12)
    assert hand[:2] == pytest.approx([84.4485e-3, 22.5741e-3], rel=1e-5)
