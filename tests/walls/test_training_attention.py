"""The attention core without a fused kernel: batched GEMMs at the GEMM model's η (by hand)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import TRAINING

# GPT-3 175B on A100 as Narayanan et al. 2021 ran it (Table 2: TP 8, microbatch 1, s = 2048; 96 heads of
# d_head 128), with the A100 SXM4 80GB GEMM fit's numbers written out (108 SMs, 128 x 128 tiles, ceiling
# 0.9686, k_half 514.68, cap 0.8692): the test computes every efficiency by hand from them.
GPT3 = {"flash_attention": ([False], None), "microbatch": ([1.0], ""), "seq_len": ([2048.0], "tok"),
        "cp": ([1.0], ""), "tp": ([8.0], ""), "n_heads": ([96.0], ""), "head_dim": ([128.0], ""),
        "n_experts": ([None], ""), "gemm_units": ([108.0], ""), "gemm_tile_m": ([128.0], ""),
        "gemm_tile_n": ([128.0], ""), "gemm_ceiling": ([0.9686], ""), "gemm_k_half": ([514.68], ""),
        "gemm_best_fraction": ([0.8692], ""), "framework_eta_multiplier": ([1.0], ""),
        "peak_flop_per_s": ([312e12], "FLOP/s"), "attention_peak_flop_per_s": ([312e12], "FLOP/s")}
WANTED = ["unfused_attention_eta_compute", "unfused_attention_backward_eta_compute"]


def _eval(columns: dict) -> dict:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()},
                         WANTED, formulas.REGISTRY | TRAINING)
    return plan.frame.collect().row(0, named=True)


def test_unfused_attention_gemms_of_gpt3_on_a100():
    """12 heads per GPU (96 / 8). Q·Kᵀ: 2048 x 2048 over K = 128: 16 x 16 = 256 tiles a head, 3072 in
    all, 29 waves of 108 (3072 / 3132), K loop 128 / (128 + 514.68): 0.9686 x 0.98084 x 0.19916 = 0.18921.
    P·V: 2048 x 128 over K = 2048: 16 tiles a head, 192, no split-K (more tiles than SMs), 2 waves
    (192 / 216), 2048 / 2562.68: 0.9686 x 0.88889 x 0.79916 = 0.68807. Equal FLOPs: forward 2 / (1/0.18921 +
    1/0.68807) = 0.29680; backward one s x s x d_head (dP) and three s x d_head x s (dV, dQ, dK):
    4 / (1/0.18921 + 3/0.68807) = 0.41471."""
    slow = 0.9686 * (3072 / 3132) * (128 / (128 + 514.68))
    fast = 0.9686 * (192 / 216) * (2048 / (2048 + 514.68))
    assert slow == pytest.approx(0.18921, abs=1e-5) and fast == pytest.approx(0.68807, abs=1e-5)
    got = _eval(GPT3)
    assert got["unfused_attention_eta_compute"] == pytest.approx(2 / (1 / slow + 1 / fast))
    assert got["unfused_attention_eta_compute"] == pytest.approx(0.29680, abs=1e-4)
    assert got["unfused_attention_backward_eta_compute"] == pytest.approx(4 / (1 / slow + 3 / fast))


def test_unfused_attention_is_null_with_a_fused_kernel_or_another_precision():
    """FlashAttention (the default), a MoE model, no GEMM fit, an FP8 recipe (attention at the 16-bit
    peak, not the fit's): the attention core keeps its previous timing."""
    for change in ({"flash_attention": ([True], None)}, {"n_experts": ([8.0], "")}, {"gemm_units": ([None], "")},
                   {"peak_flop_per_s": ([624e12], "FLOP/s")}):
        got = _eval(GPT3 | change)
        assert got["unfused_attention_eta_compute"] is None and got["unfused_attention_backward_eta_compute"] is None


def test_small_batch_of_heads_splits_k():
    """One head (batch 1), s = 1024: P·V has 8 x 1 = 8 tiles on 108 SMs, so split-K cuts K = 1024 into
    min(floor(108 / 8) = 13, ceil(1024 / 256) = 4) = 4 pieces of 256: 32 tile-pieces in one wave (32/108),
    K loop 256 / (256 + 514.68); Q·Kᵀ 8 x 8 = 64 tiles, split min(1, 1) = 1, 64/108, 128/(128 + 514.68).
    The cap 0.8692 does not bind."""
    one = GPT3 | {"tp": ([96.0], ""), "seq_len": ([1024.0], "tok")}
    slow = 0.9686 * (64 / 108) * (128 / (128 + 514.68))
    fast = 0.9686 * (32 / 108) * (256 / (256 + 514.68))
    assert _eval(one)["unfused_attention_eta_compute"] == pytest.approx(2 / (1 / slow + 1 / fast))
