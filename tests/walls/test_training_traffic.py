"""The element-wise kernels of a training layer (pipeline.walls.training_traffic), counted by hand."""

from __future__ import annotations

import pytest


def traffic(training, *, s=2048.0, h=12288.0, a=96.0, f=4 * 12288.0, gated=False, t=8.0, cp=1.0, sp=False,
            flash=False, dropout=True, recompute="full"):
    got = training(["layer_elementwise_bytes_per_microbatch"], seq_len=([s], "tok"), cp=([cp], ""),
                   microbatch=([1.0], ""), d_model=([h], ""), n_heads=([a], ""),
                   mlp_width_per_device=([f / t], "elem/tok"), is_gated_mlp=([gated], None), tp=([t], ""),
                   recompute=([recompute], None), sequence_parallel=([sp], None), flash_attention=([flash], None),
                   dropout=([dropout], None), activation_bytes_per_element=([2.0], "B/elem"))
    return got["layer_elementwise_bytes_per_microbatch"][0]


def test_gpt3_175b_as_megatron_2021_ran_it(training):
    """Narayanan et al. 2021's 175B layout per TP rank (tp 8, no SP, no FlashAttention, dropout, full
    recomputation), per token of one layer, 2-byte elements and 1-byte masks:
    forward: norms 4h + adds 6h = 10h whole (122,880 el) and 2 masks of h (24,576 B); GeLU reads and
    writes f/8 (12,288 el); softmax and dropout 4 x a s/8 (98,304 el) and a mask of a s/8 (24,576 B)
    = 2 x 233,472 + 49,152 = 516,096 B;
    backward: norms 6h + dropout-adds 4h (122,880 el) and 2 masks (24,576 B); GeLU 3f/8 (18,432 el);
    softmax 3 and dropout 2 x a s/8 (122,880 el) and a mask (24,576 B) = 2 x 264,192 + 49,152 = 577,536 B;
    the recomputed forward 516,096 B again: 1,609,728 B per token, x 2048 tokens."""
    assert traffic(training) == pytest.approx(2048 * 1_609_728, rel=1e-12)


def test_sequence_parallelism_splits_the_whole_hidden_state_terms(training):
    """Same layout with SP: the h terms / 8. Forward 2 x (15,360 + 12,288 + 98,304) + 3,072 + 24,576
    = 279,552 B; backward 2 x (15,360 + 18,432 + 122,880) + 3,072 + 24,576 = 340,992 B; selective
    recomputation repeats the softmax and dropout only: 2 x 98,304 + 24,576 = 221,184 B."""
    assert traffic(training, sp=True, recompute="selective") == pytest.approx(2048 * (279_552 + 340_992 + 221_184),
                                                                             rel=1e-12)


def test_a_llama_layer_with_flash_attention_and_no_dropout(training):
    """Llama 3.1 70B shape (h 8192, SwiGLU f 28672), tp 4 with SP, FlashAttention, no dropout, no
    recomputation: forward (10 x 2048 + 3 x 7168) x 2 B = 83,968 B; backward (6 x 2048 + 5 x 7168) x 2 B
    = 96,256 B; nothing of the scores (they stay in the kernel's SRAM). Per token x 8192 tokens / cp 2."""
    got = traffic(training, s=8192.0, h=8192.0, a=64.0, f=28672.0, gated=True, t=4.0, cp=2.0, sp=True, flash=True,
                  dropout=False, recompute="none")
    assert got == pytest.approx(4096 * (83_968 + 96_256), rel=1e-12)


def test_time_is_the_bytes_at_the_streaming_bandwidth(training):
    """8 layers x 3.3e9 B at 2.039 TB/s x 0.825."""
    got = training(["elementwise_time_per_microbatch_s"], layers_per_gpu=([8.0], ""),
                   layer_elementwise_bytes_per_microbatch=([3.3e9], "B"),
                   gradient_accumulation_bytes_per_microbatch=([0.0], "B"),
                   memory_bandwidth_bytes_per_s=([2.039e12], "B/s"), eta_memory=([0.825], ""))
    assert got["elementwise_time_per_microbatch_s"][0] == pytest.approx(8 * 3.3e9 / (2.039e12 * 0.825), rel=1e-12)


def test_unfused_gradient_accumulation_adds_each_microbatch_but_the_first(training):
    """GPT-3 175B's last stage on one GPU of Narayanan et al. 2021 (TP 8, PP 12: 8 layers and the LM
    head, 1,892,783,616 parameters), 384 microbatches, fp16 gradients: 383 adds of read 2 + read 2 +
    write 2 B per parameter over 384 microbatches = 11,327,126,952 B per microbatch on average, 6.7336
    ms at 2.039 TB/s x 0.825; fused (Megatron-LM since 2022): nothing; one microbatch: nothing to add."""
    kw = {"num_microbatches": ([384.0], ""), "trainable_params_per_gpu": ([1_892_783_616.0], "param"),
          "gradient_bytes_per_param": ([2.0], "B/param")}
    got = training(["gradient_accumulation_bytes_per_microbatch"], gradient_accumulation_fusion=([False], None), **kw)
    assert got["gradient_accumulation_bytes_per_microbatch"][0] == pytest.approx(383 / 384 * 6 * 1_892_783_616)
    assert got["gradient_accumulation_bytes_per_microbatch"][0] == pytest.approx(11_327_126_952, rel=1e-9)
    t = training(["elementwise_time_per_microbatch_s"], gradient_accumulation_fusion=([False], None),
                 layers_per_gpu=([8.0], ""), layer_elementwise_bytes_per_microbatch=([0.0], "B"),
                 memory_bandwidth_bytes_per_s=([2.039e12], "B/s"), eta_memory=([0.825], ""), **kw)
    assert t["elementwise_time_per_microbatch_s"][0] == pytest.approx(6.7336e-3, rel=1e-4)
    fused = training(["gradient_accumulation_bytes_per_microbatch"], gradient_accumulation_fusion=([True], None), **kw)
    assert fused["gradient_accumulation_bytes_per_microbatch"][0] == 0.0
    one = training(["gradient_accumulation_bytes_per_microbatch"], gradient_accumulation_fusion=([False], None),
                   **(kw | {"num_microbatches": ([1.0], "")}))
    assert one["gradient_accumulation_bytes_per_microbatch"][0] == 0.0
