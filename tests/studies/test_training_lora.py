"""LoRA fine-tuning in the training study (issue 12; ``pipeline.walls.training_lora``): a small case
computed by hand from Hu et al. 2021 (arXiv:2106.09685) and the GEMM chain rule.

Llama 2 7B (catalog: d 4096, 32 layers, 32 heads of 128, MHA, MLP 11008 gated, vocabulary 32000) at
rank r = 8 on the fused QKV (4096 -> 12288) and output (4096 -> 4096) projections:
- adapter weights: r (d_in + d_out) per matrix (§4.1, eq. 3): 8 x (4096 + 12288) + 8 x (4096 + 4096)
  = 196,608 per layer, 6,291,456 over 32 layers;
- FLOPs: the frozen weight matmuls lose their weight gradient, 1 x their forward 2 s P_matmul
  (P_matmul per layer = 4096 x 12288 + 4096 x 4096 + 3 x 4096 x 11008 = 202,375,168, LM head
  4096 x 32000 = 131,072,000), and the adapters add 3 x 2 s x 6,291,456;
- memory: gradients (2 B) and Adam state (12 B) for the adapters only; the base's 16-bit weights stay;
  the frozen FC1 and FC2 save no input for a weight gradient (the adapted QKV's input stays).
"""

from __future__ import annotations

import pytest

import pipeline
from pipeline.runs import typed

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
ADAPTER_PARAMS = 32 * (8 * (4096 + 12288) + 8 * (4096 + 4096))  # 6,291,456
MATMUL_PARAMS = 32 * (4096 * 12288 + 4096 * 4096 + 3 * 4096 * 11008) + 4096 * 32000


def rows(**axes) -> dict[int, dict]:
    spec = {"study": "training", "axes": {"compute_dtype": ["bf16"], "model": ["Llama 2 7B"], "cluster": [H100_POD],
                                          "tp": [1], "pp": [1], "microbatch": [1], "seq_len": [4096],
                                          "recompute": ["selective"], "sequence_parallel": [False],
                                          "lora_rank": [0, 8]} | axes}
    out = pipeline.sweep(spec)
    return {int(r["lora_rank"]): r for r in out.iter_rows(named=True)}


def test_lora_flops_and_memory_by_hand():
    by_rank = rows(dp=[1], global_batch=[4])
    full, lora = by_rank[0], by_rank[8]
    s, b = 4096, 4
    assert ADAPTER_PARAMS == 6_291_456 and lora["trainable_params_per_gpu"] == ADAPTER_PARAMS
    assert full["trainable_params_per_gpu"] == full["params_per_gpu"]
    # FLOPs: minus the frozen weight gradients (1 x forward), plus the adapters' 3 x forward
    saved = b * (2 * s * MATMUL_PARAMS - 3 * 2 * s * ADAPTER_PARAMS)
    assert full["model_flop_per_step"] - lora["model_flop_per_step"] == pytest.approx(saved, rel=1e-9)
    # Hu et al. §4.2: the base's weight matmuls cost 2x their forward instead of 3x, so the step needs
    # about 2/3 of full training's FLOPs (attention scores, which have no weights, keep 3x)
    assert 0.66 < lora["model_flop_per_step"] / full["model_flop_per_step"] < 0.72
    # memory: adapter gradients (2 B) and fp32 master + Adam moments (12 B); base weights kept at 2 B
    assert lora["gradient_bytes_per_gpu"] == pytest.approx(ADAPTER_PARAMS * 2.0, rel=1e-12)
    assert lora["optimizer_bytes_per_gpu"] == pytest.approx(ADAPTER_PARAMS * 12.0, rel=1e-12)
    assert lora["weight_bytes_per_gpu"] == pytest.approx((full["params_per_gpu"] + ADAPTER_PARAMS) * 2.0, rel=1e-12)
    # activations: the frozen FC1 and FC2 keep no input (2 B x h and 2 B x f a token a layer); the QKV input
    # stays for its adapter: 32 layers x 4,096 tokens x (2 x 4096 + 2 x 11008) B = 3,959,422,976 B less
    saved_activations = 32 * 4096 * (2 * 4096 + 2 * 11008)
    assert full["activation_bytes_per_gpu"] - lora["activation_bytes_per_gpu"] == pytest.approx(saved_activations,
                                                                                                rel=1e-12)
    assert lora["compute_time_s"] < full["compute_time_s"] and lora["memory_per_gpu_bytes"] < full[
        "memory_per_gpu_bytes"]
    assert lora["samples_per_s"] == pytest.approx(b / lora["step_time_s"], rel=1e-12)


def test_lora_reduces_only_the_adapters_gradients():
    """DP 8 in one DGX H100 (NVLink 450 GB/s x eta_link 0.82, alpha 0.6 us): a ring reduce-scatter and
    all-gather of the adapters' 2-byte gradients, 6,291,456 x 2 B, instead of all 6.7e9 weights'."""
    r = rows(dp=[8], global_batch=[8], zero_stage=[1])
    alpha, beta, n = 0.6e-6, 450e9 * 0.82, 8
    ring = 2 * ((n - 1) * alpha + (n - 1) / n * ADAPTER_PARAMS * 2.0 / beta)
    assert r[8]["dp_allreduce_time_s"] == pytest.approx(ring, rel=1e-9)
    assert r[0]["dp_allreduce_time_s"] > 100 * r[8]["dp_allreduce_time_s"]


def test_rank_zero_keeps_the_configuration_ids():
    """lora_rank is a key axis of the training study whose default 0 adds nothing to config_id: the
    ids of runs written before the axis stay; a rank > 0 is another configuration."""
    assert "lora_rank" in typed.KEY_AXES["training"] and "lora_rank" in typed.INTEGRAL["training"]
    row = {"cluster": "c", "model": "m", "tp": 4, "global_batch": 8}
    assert typed.config_id_int(row | {"lora_rank": 0}) == typed.config_id_int(row)
    assert typed.config_id_int(row | {"lora_rank": 16}) != typed.config_id_int(row)


def test_one_configuration_agrees_with_the_sweep():
    """``evaluate_training(lora_rank=8)`` (the scalar path) gives the sweep's LoRA row."""
    swept = rows(dp=[8], global_batch=[8], zero_stage=[1])[8]
    one = pipeline.evaluate_training("Llama 2 7B", H100_POD, dp=8, tp=1, pp=1, global_batch=8, seq_len=4096,
                                     sequence_parallel=False, lora_rank=8).row(0, named=True)
    for column in ("step_time_s", "model_flop_per_step", "memory_per_gpu_bytes", "dp_allreduce_time_s"):
        assert one[column] == pytest.approx(swept[column], rel=1e-9)
