"""The GEMM-input casts of an FP8 / FP4 training layer (pipeline.walls.training_quantize), counted by hand."""

from __future__ import annotations

import pytest

FP8 = {"quantize_read_bytes_per_element": ([2.0], "B/elem"), "quantized_copy_bytes_per_element": ([1.0], "B/elem")}
NVFP4 = {"quantize_read_bytes_per_element": ([4.0], "B/elem"),
         "quantized_copy_bytes_per_element": ([0.5625], "B/elem")}
BF16 = {"quantize_read_bytes_per_element": ([0.0], "B/elem"), "quantized_copy_bytes_per_element": ([0.0], "B/elem")}


def casts(training, recipe, *, s=8192.0, cp=1.0, t=1.0, sp=False, wgrad=0.0, recompute="none"):
    """A Llama 2 70B layer (h 8192, 64 heads, 8 KV heads, SwiGLU f 28672), one sequence a microbatch."""
    got = training(["layer_quantize_bytes_per_microbatch"], seq_len=([s], "tok"), cp=([cp], ""),
                   microbatch=([1.0], ""), d_model=([8192.0], ""), n_heads=([64.0], ""), n_kv_heads=([8.0], ""),
                   mlp_width_per_device=([28672.0 / t], "elem/tok"), is_gated_mlp=([True], None), tp=([t], ""),
                   recompute=([recompute], None), sequence_parallel=([sp], None),
                   weight_gradient_matmuls=([wgrad], ""), **recipe)
    return got["layer_quantize_bytes_per_microbatch"][0]


def test_fp8_lora_layer_on_one_gpu(training):
    """MLPerf's LoRA layer at tp 1: forward casts the projection's input (8192) and FC2's (28672) = 36,864
    elements a token; backward the output gradients of QKV (8192 x (1 + 2 x 8/64) = 10,240), the projection
    and FC2 (8192 each) and the gated FC1 (2 x 28672 = 57,344) = 83,968. The frozen base needs no
    column-wise copy: 2 B read + 1 B written = 3 B a element, 120,832 x 3 = 362,496 B a token, x 8192."""
    assert casts(training, FP8) == pytest.approx(8192 * 362_496, rel=1e-12)


def test_nvfp4_full_training_with_sequence_parallelism(training):
    """tp 4 with SP, cp 2 (4096 tokens a GPU): the whole hidden state 2048 a token, the projection's input
    2048, FC2's 7168: forward 9216; backward 2560 + 2 x 2048 + 2 x 7168 = 20,992. NVFP4 reads twice (amax,
    then quantize: 4 B) and writes two copies of 0.5 B + 1/16 B of scale: 5.125 B a element."""
    assert casts(training, NVFP4, cp=2.0, t=4.0, sp=True, wgrad=1.0) == pytest.approx(
        4096 * (9216 + 20_992) * 5.125, rel=1e-12)
    # full recomputation casts the forward inputs again: 2 x 9216 + 20,992
    assert casts(training, NVFP4, cp=2.0, t=4.0, sp=True, wgrad=1.0, recompute="full") == pytest.approx(
        4096 * (2 * 9216 + 20_992) * 5.125, rel=1e-12)


def test_a_16_bit_recipe_casts_nothing(training):
    assert casts(training, BF16, wgrad=1.0) == 0.0


def test_time_is_the_bytes_at_the_streaming_bandwidth(training):
    """80 layers x 2.97e9 B at 8 TB/s x 0.851."""
    got = training(["quantize_time_per_microbatch_s"], layers_per_gpu=([80.0], ""),
                   layer_quantize_bytes_per_microbatch=([2.97e9], "B"),
                   memory_bandwidth_bytes_per_s=([8e12], "B/s"), eta_memory=([0.851], ""))
    assert got["quantize_time_per_microbatch_s"][0] == pytest.approx(80 * 2.97e9 / (8e12 * 0.851), rel=1e-12)
