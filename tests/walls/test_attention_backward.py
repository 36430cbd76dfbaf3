"""Wall 1's fused attention backward (``compute.attention_step_multiplier``): 2.5 x the forward's FLOPs where the
attention fit prices the kernel (FlashAttention-2, arXiv:2307.08691 Algorithm 2; benchmark_flash_attention.py's bwd
count), against values by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.units import col, unit
from pipeline.walls.compute import attention_step_multiplier, compute_time_s


def test_a_fitted_training_step_runs_the_kernels_forward_and_its_two_and_a_half_times_backward():
    frame = pl.DataFrame({"step": ["train", "train", "prefill"], "mult": [3.0, 3.0, 1.0],
                          "ceiling": [0.28, None, 0.28]})
    m = attention_step_multiplier(pl.col("step"), col("mult", unit("")), col("ceiling", unit("")))
    assert frame.select(m.expr).to_series().to_list() == [3.5, 3.0, 1.0]


def test_a_training_steps_compute_time_prices_attention_at_three_and_a_half_forward_passes():
    """By hand: 2 layers; per layer qkv 1e12, o 1e12, mlp 2e12, norms 0 FLOP at η 0.5, attention 1e12 at η 0.25, no LM
    head, peak 1e15 FLOP/s: GEMMs 3 x 2 x (4e12 / 5e14) = 0.048 s, attention 3.5 x 2 x (1e12 / 2.5e14) = 0.028 s."""
    f, e, s = unit("FLOP"), unit(""), unit("FLOP/s")
    names = {"step_qkv_proj_flop": f, "step_o_proj_flop": f, "step_mlp_flop": f, "step_attention_flop": f,
             "step_norms_flop": f, "step_lm_head_flop": f, "step_flop": f, "achievable_flop_per_s": s,
             "peak_flop_per_s": s, "gemm_units": e, "n_layers": e, "step_multiplier": e, "eta_compute": e,
             "step_qkv_proj_eta_compute": e, "step_o_proj_eta_compute": e, "step_mlp_eta_compute": e,
             "step_attention_eta_compute": e, "step_lm_head_eta_compute": e, "conv_compute_time_s": unit("s"),
             "attention_step_multiplier": e}
    row = {"step_qkv_proj_flop": 1e12, "step_o_proj_flop": 1e12, "step_mlp_flop": 2e12, "step_attention_flop": 1e12,
           "step_norms_flop": 0.0, "step_lm_head_flop": 0.0, "step_flop": 0.0, "achievable_flop_per_s": 1.0,
           "peak_flop_per_s": 1e15, "gemm_units": 148.0, "n_layers": 2.0, "step_multiplier": 3.0, "eta_compute": 0.5,
           "step_qkv_proj_eta_compute": 0.5, "step_o_proj_eta_compute": 0.5, "step_mlp_eta_compute": 0.5,
           "step_attention_eta_compute": 0.25, "step_lm_head_eta_compute": 0.5, "conv_compute_time_s": None,
           "attention_step_multiplier": 3.5}
    frame = pl.DataFrame([row], schema_overrides={"conv_compute_time_s": pl.Float64}).with_columns(
        is_transformer=pl.lit(True))
    t = compute_time_s(is_transformer=pl.col("is_transformer"), **{n: col(n, u) for n, u in names.items()})
    assert frame.select(t.expr).item() == pytest.approx(0.048 + 0.028, rel=1e-12)
