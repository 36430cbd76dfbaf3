"""Wall 2 against known values: exact KV-cache size, MoE expert reads, feasibility."""

from __future__ import annotations

import pytest

import pipeline


def test_kv_cache_of_llama2_70b_is_exact():
    """2 x L x H_kv x d_head x S x B x bytes = 2 x 80 x 8 x 128 x 4096 x 4 x 2 B = 5,368,709,120 B."""
    row = pipeline.evaluate(model="Llama 2 70B", hardware="MI300X", batch=4, seq_len=4096,
                            step="decode").row(0, named=True)
    assert row["kv_cache_bytes"] == 2 * 80 * 8 * 128 * 4096 * 4 * 2


def test_weights_are_parameters_times_bytes_per_parameter():
    fp16 = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", step="decode").row(0, named=True)
    fp8 = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", compute_dtype="fp8",
                            step="decode").row(0, named=True)
    assert fp16["weight_bytes"] == 6_738_415_616 * 2
    assert fp8["weight_bytes"] == 6_738_415_616


def test_moe_decode_reads_only_the_experts_its_tokens_pick():
    """Mixtral 8x7B, one token: 2 of 8 experts per layer are read; at batch 128 almost all 8."""
    one = pipeline.evaluate(model="Mixtral 8x7B", hardware="MI300X", batch=1, step="decode").row(0, named=True)
    many = pipeline.evaluate(model="Mixtral 8x7B", hardware="MI300X", batch=128, step="decode").row(0, named=True)
    routed = 32 * 8 * 3 * 4096 * 14336  # layers x experts x (gate, up, down) x d x ffn
    expert_share_read_one = 1 - (1 - 2 / 8) ** 1
    expert_share_read_many = 1 - (1 - 2 / 8) ** 128
    dense_part = one["weight_traffic_bytes"] / 2 - routed * expert_share_read_one
    assert many["weight_traffic_bytes"] / 2 == pytest.approx(dense_part + routed * expert_share_read_many)
    assert one["weight_traffic_bytes"] < 0.35 * one["weight_bytes"]


def test_a_model_that_does_not_fit_is_a_result_not_a_crash():
    row = pipeline.evaluate(model="Llama 2 70B", hardware="A100 SXM4 80GB", step="decode").row(0, named=True)
    assert row["is_feasible"] is False
    assert row["memory_headroom_bytes"] < 0
    assert row["infeasible_reason"].startswith("memory")
    assert row["latency_s"] is None and row["bound"] == "capacity"


@pytest.mark.parametrize(("batch", "expected"), [
    (1, 2 * 4096 * 11008 * 2),  # 4,096 tokens fit one chunk: all of them are in flight
    (8, 2 * 8192 * 11008 * 2),  # 32,768 tokens: one 8,192-token chunk at a time (was 4x that)
])
def test_inference_prefill_holds_the_chunk_in_flight_not_the_batch(batch, expected):
    """Llama 2 7B prefill at 4,096 tokens, fp16: input and output of the widest layer (the 11,008-wide
    MLP) for the tokens in flight, at most serving.prefill_chunk_tokens = 8,192 (vLLM profiles one
    forward pass of max_num_batched_tokens)."""
    row = pipeline.evaluate("Llama 2 7B", "A100 SXM4 80GB", batch=batch, seq_len=4096, step="prefill")
    row = row.row(0, named=True)
    assert row["activation_memory_bytes"] == pytest.approx(expected, rel=1e-12)


def test_an_encoder_forward_still_holds_the_whole_batch():
    """BERT-Large, batch 64 x 384 tokens, fp16: 2 x 24,576 x 4,096 (the MLP width) x 2 B, unchunked."""
    row = pipeline.evaluate("BERT-Large", "A100 SXM4 80GB", batch=64, seq_len=384).row(0, named=True)
    assert row["step"] == "forward" and row["activation_memory_bytes"] == pytest.approx(2 * 24576 * 4096 * 2)


def test_cnn_training_adds_the_batch_norm_and_activation_passes_beside_the_convolutions():
    """ResNet-50 (11,317,736 feature-map elements per image, batch norm after every convolution),
    batch 400, fp16 on an H100 SXM5 (3.35e12 B/s): 8 batch-norm + 5 ReLU passes per element =
    13 x 11,317,736 x 400 x 2 B = 117,704,454,400 B, beside them the optimizer update's read and write
    of 12 B/param of fp32 state, 24 x 25,557,032 = 613,368,768 B: 118,317,823,168 B, 35.319 ms at
    3.35 TB/s, added to max(compute, memory) + the fixed time of its 54 convolutions' 5 kernels each (9,555.07 SM
    cycles at the catalog's 1.830037 GHz) + one 4 us launch. VGG-16 has no batch norm: the activation's 5 passes
    only. Inference folds both into the convolutions: 0."""
    train = pipeline.evaluate("ResNet-50", "H100 SXM5 80GB", batch=400, workload="training").row(0, named=True)
    assert train["elementwise_traffic_bytes"] == pytest.approx(117_704_454_400, rel=1e-12)
    assert train["optimizer_traffic_bytes"] == pytest.approx(613_368_768, rel=1e-12)
    assert train["elementwise_time_s"] == pytest.approx(118_317_823_168 / 3.35e12, rel=1e-12)
    roofline = max(train["compute_time_s"], train["memory_time_s"])
    fixed = 54 * 5 * (6.773810894574074e-06 * 624e12 / (108 * 4096)) / 1_830_037_434.8958333 + 4e-6
    assert train["latency_s"] == pytest.approx(roofline + 0.0353187532 + fixed, rel=1e-8)
    vgg = pipeline.evaluate("VGG-16", "H100 SXM5 80GB", batch=64, workload="training").row(0, named=True)
    assert vgg["elementwise_traffic_bytes"] == pytest.approx(5 * 15_087_080 * 64 * 2, rel=1e-12)
    infer = pipeline.evaluate("ResNet-50", "H100 SXM5 80GB", batch=400).row(0, named=True)
    assert infer["elementwise_traffic_bytes"] == 0 and infer["elementwise_time_s"] == 0
