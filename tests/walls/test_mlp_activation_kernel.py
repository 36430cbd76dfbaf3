"""The MLP's activation kernel (SiLU-and-mul, GELU) between its GEMMs: its traffic (walls/operators.py) and its own
serial time after the GEMMs' roofline (walls/serving.py), by hand."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.studies import serving
from pipeline.units import unit


def test_llama_gated_activation_kernel_bytes_by_hand():
    """Llama 3.1 8B (d 4,096, SwiGLU, d_ff 14,336) at tp 1: the fused gate/up GEMM writes 2 x 14,336 elements a
    token, SiLU-and-mul (TensorRT-LLM's GatedMLP: gate_up_proj, swiglu, down_proj, tensorrt_llm/_torch/modules/
    gated_mlp.py) reads them and writes 14,336: 43,008 elements = 86,016 B at 16 bits; the MLP's activations are
    in + out + twice that: (2 x 4,096 + 2 x 43,008) x 2 B = 188,416 B a token. At 256 sequences: 22,020,096 B and
    48,234,496 B, with the 352,321,536 B of bf16 weights 400,556,032 B; at tp 2 each device's half of the kernel,
    11,010,048 B, and (2 x 4,096 + 2 x 21,504) x 2 B x 256 + 176,160,768 B = 202,375,168 B."""
    one, two = (pipeline.evaluate_serving("Llama 3.1 8B", "H100 SXM5 80GB", batch=256, tp=tp, compute_dtype="bf16")
                .row(0, named=True) for tp in (1, 2))
    assert one["decode_mlp_bytes"] == pytest.approx(400_556_032, rel=1e-12)
    plan = formulas.plan(pl.DataFrame({"decode_tokens": [256.0, 256.0], "mlp_width_per_device": [14_336.0, 7_168.0],
                                       "decode_mlp_up_gemm_n": [28_672.0, 14_336.0],
                                       "decode_mlp_down_gemm_k": [14_336.0, 7_168.0],
                                       "hidden_state_bytes_per_element": [2.0, 2.0]}).lazy(),
                         {"decode_tokens": unit("tok"), "mlp_width_per_device": unit("elem/tok"),
                          "decode_mlp_up_gemm_n": unit(""), "decode_mlp_down_gemm_k": unit(""),
                          "hidden_state_bytes_per_element": unit("B/elem")}, ["decode_mlp_act_bytes"])
    assert plan.frame.collect()["decode_mlp_act_bytes"].to_list() == pytest.approx([22_020_096, 11_010_048],
                                                                                   rel=1e-12)
    assert two["decode_mlp_bytes"] == pytest.approx(202_375_168, rel=1e-12)


def test_the_activation_kernel_runs_after_compute_bound_gemms_not_under_them():
    """Llama 3.1 8B's MLP at 1,024 tokens, 989 TFLOP/s x eta 0.8, 3.35 TB/s x eta_memory 0.9, α 4 µs: the GEMMs'
    2 x 1,024 x 176,160,768 = 360,777,252,864 FLOP take 456.0 µs, their weights 352,321,536 B and activations
    1,024 x (2 x 4,096 + 43,008) x 2 B = 104,857,600 B 2 α + 151.6 µs = 159.6 µs: compute-bound. The activation
    kernel then streams 1,024 x 43,008 x 2 B = 88,080,384 B: α + 29.2 µs = 33.2 µs. The MLP: 489.2 µs (the roofline
    of the sum would hide the kernel: 456.0 µs)."""
    act = 1024 * 43_008 * 2.0
    frame = pl.DataFrame({"decode_mlp_flop": [2 * 1024 * 176_160_768.0],
                          "decode_mlp_bytes": [352_321_536.0 + 104_857_600.0 + act], "decode_mlp_act_bytes": [act],
                          "peak_flop_per_s": [989e12], "decode_mlp_eta_compute": [0.8],
                          "memory_bandwidth_bytes_per_s": [3.35e12], "eta_memory": [0.9], "memory_latency_s": [4e-6],
                          "weight_bytes_per_element": [2.0]}).with_columns(
        pl.lit(None, pl.Float64).alias("weight_effective_bits"))  # one weight format (walls/mixed_precision)
    units = {"decode_mlp_flop": unit("FLOP"), "decode_mlp_bytes": unit("B"), "decode_mlp_act_bytes": unit("B"),
             "peak_flop_per_s": unit("FLOP/s"), "decode_mlp_eta_compute": unit(""),
             "memory_bandwidth_bytes_per_s": unit("B/s"), "eta_memory": unit(""), "memory_latency_s": unit("s"),
             "weight_bytes_per_element": unit("B/elem"), "weight_effective_bits": unit("bit/param")}
    got = formulas.plan(frame.lazy(), units, ["decode_mlp_time_s", "decode_mlp_gemm_time_s", "decode_mlp_act_time_s",
                                              "decode_mlp_is_compute_bound"], serving.FORMULAS).frame.collect()
    gemm = 2 * 1024 * 176_160_768 / (989e12 * 0.8)
    kernel = 4e-6 + act / (3.35e12 * 0.9)
    assert got["decode_mlp_is_compute_bound"][0]
    assert got["decode_mlp_gemm_time_s"][0] == pytest.approx(gemm, rel=1e-12)
    assert got["decode_mlp_act_time_s"][0] == pytest.approx(kernel, rel=1e-12)
    assert got["decode_mlp_time_s"][0] == pytest.approx(489.2e-6, abs=0.1e-6)
