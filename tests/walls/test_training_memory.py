"""Training memory (pipeline.walls.training_memory) against published values: ZeRO and Korthikanti."""

from __future__ import annotations

import pytest


def test_zero_stages_match_rajbhandari_figure_1(training):
    """ZeRO paper (Rajbhandari et al. 2020, Fig. 1): 7.5B parameters, 64 data-parallel ranks,
    mixed-precision Adam (K = 12): 120 GB, 31.4 GB, 16.6 GB and 1.9 GB per GPU for stages 0-3."""
    got = training(["weight_bytes_per_gpu", "gradient_bytes_per_gpu", "optimizer_bytes_per_gpu"],
                   params_per_gpu=([7.5e9] * 4, "param"), gradient_bytes_per_param=([2.0] * 4, "B/param"),
                   zero_stage=([0.0, 1.0, 2.0, 3.0], ""), dp=([64.0] * 4, ""), cp=([1.0] * 4, ""),
                   lora_rank=([0.0] * 4, ""), adapter_params_per_gpu=([0.0] * 4, "param"),  # every weight trains
                   working_weight_bytes_per_param=([2.0] * 4, "B/param"))
    total_gb = [sum(v) / 1e9 for v in zip(*got.values(), strict=True)]
    assert total_gb == pytest.approx([120.0, 31.4, 16.6, 1.875], abs=0.05)


def test_zero_shards_over_the_context_parallel_ranks_too(training):
    """The cp ranks of a data-parallel rank hold the same weights and reduce their gradients
    together: Megatron-Core's distributed optimizer lives on the data-parallel group *with*
    context parallelism, so ZeRO-1 at dp 4, cp 2 splits 8e9 params x 12 B of Adam state 8 ways
    (12 GB), ZeRO-2 the 2 B/param gradients too (2 GB), ZeRO-3 the 2 B/param weights (2 GB)."""
    got = training(["weight_bytes_per_gpu", "gradient_bytes_per_gpu", "optimizer_bytes_per_gpu"],
                   params_per_gpu=([8e9] * 3, "param"), gradient_bytes_per_param=([2.0] * 3, "B/param"),
                   zero_stage=([1.0, 2.0, 3.0], ""), dp=([4.0] * 3, ""), cp=([2.0] * 3, ""),
                   lora_rank=([0.0] * 3, ""), adapter_params_per_gpu=([0.0] * 3, "param"),
                   working_weight_bytes_per_param=([2.0] * 3, "B/param"))
    assert [g / 1e9 for g in got["optimizer_bytes_per_gpu"]] == pytest.approx([12.0] * 3)
    assert [g / 1e9 for g in got["gradient_bytes_per_gpu"]] == pytest.approx([16.0, 2.0, 2.0])
    assert [g / 1e9 for g in got["weight_bytes_per_gpu"]] == pytest.approx([16.0, 16.0, 2.0])


def korthikanti(s, b, h, a, t, *, sp, recompute, flash=False):
    """Korthikanti et al. 2022, Table 2, bytes per layer (16-bit activations, dropout, 4h GeLU MLP)."""
    scores = 0 if flash else 5 * a * s / h
    if recompute == "full":
        return s * b * h * 2 / (t if sp else 1)
    if recompute == "selective":
        return s * b * h * 34 / t if sp else s * b * h * (10 + 24 / t)
    return s * b * h / t * (34 + scores) if sp else s * b * h * (10 + 24 / t + scores / t)


def activations(training, recompute, sp, *, s=2048.0, h=12288.0, a=96.0, kv=96.0, f=4 * 12288.0, gated=False, t=8.0,
                cp=1.0, flash=False, dropout=True, gemm_input_bytes=2.0, lora=0.0, fp8_attention=False,
                fp8_act_input=False):
    got = training(["activation_bytes_per_layer"], seq_len=([s], "tok"), cp=([cp], ""), microbatch=([1.0], ""),
                   d_model=([h], ""), n_heads=([a], ""), n_kv_heads=([kv], ""),
                   mlp_width_per_device=([f / t], "elem/tok"), is_gated_mlp=([gated], None), tp=([t], ""),
                   recompute=([recompute], None), sequence_parallel=([sp], None), flash_attention=([flash], None),
                   dropout=([dropout], None), saved_gemm_input_bytes_per_element=([gemm_input_bytes], "B/elem"),
                   lora_rank=([lora], ""), fp8_dot_product_attention=([fp8_attention], None),
                   activation_func_fp8_input_store=([fp8_act_input], None))
    return got["activation_bytes_per_layer"][0]


@pytest.mark.parametrize("recompute", ["none", "selective", "full"])
@pytest.mark.parametrize("sp", [False, True])
def test_activation_memory_per_layer_is_korthikanti_table_2(training, recompute, sp):
    """GPT-3 175B shape (s 2048, h 12288, a 96, 4h GeLU MLP, dropout), microbatch 1, tp 8."""
    want = korthikanti(2048, 1, 12288, 96, 8, sp=sp, recompute=recompute)
    assert activations(training, recompute, sp) == pytest.approx(want, rel=1e-12)


def test_activation_memory_of_a_gqa_swiglu_model_without_dropout(training):
    """Llama 3.1 405B shape (h 16384, 128 heads, 8 KV heads, SwiGLU f 53248), s 8192, tp 8 with SP,
    FlashAttention, no dropout: per token (2 + 2 + 4) h kept + (4 + 4 x 8/128) h + 6 f sharded,
    all / 8 with SP: (8 x 16384 + 4.25 x 16384 + 6 x 53248) / 8 bytes, x 8192 tokens."""
    got = activations(training, "none", True, s=8192.0, h=16384.0, a=128.0, kv=8.0, f=53248.0, gated=True, flash=True,
                      dropout=False)
    assert got == pytest.approx(8192 * (8 * 16384 + 4.25 * 16384 + 6 * 53248) / 8, rel=1e-12)


def test_fp8_gemms_save_their_inputs_in_one_byte(training):
    """Transformer Engine under FP8 saves the QKV, FC1 and FC2 inputs in 8 bits, and an FP8 copy of the
    attention output beside the 16-bit one the fused attention keeps: the same 405B layer keeps
    (2 + 2 + 4 - 2) h whole and (4 + 4 x 8/128 + 1) h + (6 - 1) f sharded per token."""
    got = activations(training, "none", True, s=8192.0, h=16384.0, a=128.0, kv=8.0, f=53248.0, gated=True, flash=True,
                      dropout=False, gemm_input_bytes=1.0)
    assert got == pytest.approx(8192 * (6 * 16384 + 5.25 * 16384 + 5 * 53248) / 8, rel=1e-12)
    full = activations(training, "full", True, s=8192.0, h=16384.0, a=128.0, kv=8.0, f=53248.0, gated=True,
                       flash=True, dropout=False, gemm_input_bytes=1.0)
    assert full == pytest.approx(8192 * 2 * 16384 / 8, rel=1e-12)  # the layer input alone stays 16-bit


@pytest.mark.parametrize("sp", [False, True])
def test_saving_the_projections_keeps_their_outputs(training, sp):
    """MaxText's save_dot_except_logits_ffn1 on GPT-3 175B (s 2048, h 12288, MHA, tp 8): Q, K, V and P.V
    (2h each, head-sharded) and the layer input, the output projection's and FC2's outputs (2h each,
    whole without SP): 8h/8 + 6h per token, or 14h/8 with SP, against Table 2's 34h/8 selective."""
    got = activations(training, "projections", sp, flash=True)
    assert got == pytest.approx(2048 * 12288 * (14 / 8 if sp else 8 / 8 + 6), rel=1e-12)


def test_flash_attention_drops_the_score_term_and_cp_splits_the_sequence(training):
    got = activations(training, "none", False, s=8192.0, h=4096.0, a=32.0, kv=32.0, f=4 * 4096.0, t=1.0, cp=4.0,
                      flash=True)
    assert got == pytest.approx(2048 * 4096 * 34, rel=1e-12)


LLAMA2_70B = {"s": 8192.0, "h": 8192.0, "a": 64.0, "kv": 8.0, "f": 28672.0, "gated": True, "t": 1.0, "flash": True,
              "dropout": False}  # MLPerf llama2_70b_lora: 8,192 tokens, tp 1 (NeMo config_DGXB200_1x8x1xtp1pp1cp1.sh)


def test_lora_keeps_no_input_of_a_frozen_layer_only_the_adapters(training):
    """LoRA r 16 on QKV and the output projection (NeMo target_modules linear_qkv, linear_proj), 16-bit
    GEMMs, h 8192, 64 heads, 8 KV heads, f 28672: per token the two norm inputs (4h), the QKV adapter's
    input (2h), Q, K, V (2h + 2 x 2h x 8/64), O shared by attention and the projection's adapter (2h)
    and FC1's output (2 x 2f); FC1's and FC2's inputs are not kept (frozen): 10.5h + 4f, against full
    training's 8h + 4.5h + 6f."""
    lora = activations(training, "selective", False, lora=16.0, **LLAMA2_70B)
    assert lora == pytest.approx(8192 * (10.5 * 8192 + 4 * 28672), rel=1e-12)
    full = activations(training, "selective", False, **LLAMA2_70B)
    assert full == pytest.approx(8192 * (12.5 * 8192 + 6 * 28672), rel=1e-12)


def test_nemo_lora_fp8_storage_of_attention_and_the_activation_input(training):
    """NeMo's llama2_70b_lora on B200 (FP8 GEMMs, FP8_DPA=1, FP8_ACT=1): Q, K, V and O in 1 B for the
    attention backward (h + 2h/8 + h), the projection adapter's 16-bit copy of O (2h), FC1's output in
    1 B (2f), the norm inputs (4h) and the QKV adapter's input (2h): 10.25h + 2f = 141,312 B a token,
    1.08 GiB a layer at 8,192 tokens. FP8_DPA=0 with FP8_ACT=1 (NVIDIA's H200 config): 10.5h + 2f."""
    got = activations(training, "selective", False, lora=16.0, gemm_input_bytes=1.0, fp8_attention=True,
                      fp8_act_input=True, **LLAMA2_70B)
    assert got == pytest.approx(8192 * 141312, rel=1e-12)
    h200 = activations(training, "selective", False, lora=16.0, gemm_input_bytes=1.0, fp8_act_input=True, **LLAMA2_70B)
    assert h200 == pytest.approx(8192 * (10.5 * 8192 + 2 * 28672), rel=1e-12)


def test_fp8_attention_storage_in_full_training(training):
    """Full training with FP8 GEMMs and FP8 attention storage: Q, K, V, O at 1 B (h + 2h/8 + h), the
    projection's own FP8 input (h), FC1's 16-bit output (4f) and FC2's FP8 input (f); QKV and FC1
    inputs 1 B each, norm inputs 4h: 6h whole + 3.25h + 5f."""
    got = activations(training, "selective", False, gemm_input_bytes=1.0, fp8_attention=True, **LLAMA2_70B)
    assert got == pytest.approx(8192 * (9.25 * 8192 + 5 * 28672), rel=1e-12)


def test_fp8_params_hold_the_base_in_one_byte_and_the_adapters_in_two(training):
    """fp8_params (NeMo): 6.9e10 base weights at 1 B, 4.46e7 LoRA adapter weights at 2 B, unsharded."""
    got = training(["weight_bytes_per_gpu"], params_per_gpu=([6.9e10, 6.9e10], "param"),
                   adapter_params_per_gpu=([4.46e7, 4.46e7], "param"),
                   working_weight_bytes_per_param=([1.0, 2.0], "B/param"), zero_stage=([1.0, 1.0], ""),
                   dp=([8.0, 8.0], ""), cp=([1.0, 1.0], ""))
    assert got["weight_bytes_per_gpu"] == pytest.approx([6.9e10 + 8.92e7, 1.38e11 + 8.92e7], rel=1e-12)
