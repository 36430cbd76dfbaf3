"""The node study's transformer training step: its element-wise kernels, counted by hand."""

from __future__ import annotations

import pytest

import pipeline


def test_bert_large_train_step_element_wise_bytes_by_hand():
    """BERT-Large (h 1,024, f 4,096, 24 layers), dropout (an encoder), fused attention, 2-byte elements and 1-byte
    masks, per token of one layer: forward norms 4h + adds 6h, GELU 2f = (10,240 + 8,192) x 2 B + 2 masks of h
    (2,048 B) = 38,912 B; backward norms 6h + dropout-adds 4h, GELU 3f = (10,240 + 12,288) x 2 B + 2,048 B =
    47,104 B; 86,016 B x 24 layers x 96 x 254 tokens = 50,337,939,456 B, over 3.35 TB/s beside the optimizer's
    8,018,165,760 B. Inference: none."""
    row = pipeline.evaluate("BERT-Large", "H100 SXM5 80GB", batch=96, seq_len=254, workload="training",
                            compute_dtype="bf16").row(0, named=True)
    assert row["elementwise_traffic_bytes"] == pytest.approx(86_016 * 24 * 96 * 254, rel=1e-12)
    assert row["elementwise_time_s"] == pytest.approx((50_337_939_456 + 8_018_165_760) / 3.35e12, rel=1e-12)
    infer = pipeline.evaluate("BERT-Large", "H100 SXM5 80GB", batch=96, seq_len=254).row(0, named=True)
    assert infer["elementwise_traffic_bytes"] == 0


def test_a_decoder_trains_without_dropout():
    """Llama 3.1 8B (h 4,096, SwiGLU f 14,336, 32 layers), no dropout: forward (10h + 3f) x 2 B = 167,936 B,
    backward (6h + 5f) x 2 B = 192,512 B per token of one layer, x 32 layers x 2 x 2,048 tokens."""
    row = pipeline.evaluate("Llama 3.1 8B", "H100 SXM5 80GB", batch=2, seq_len=2048, workload="training",
                            compute_dtype="bf16").row(0, named=True)
    assert row["elementwise_traffic_bytes"] == pytest.approx((167_936 + 192_512) * 32 * 2 * 2048, rel=1e-12)


def test_fp8_casts_by_hand():
    """BERT-Large fp8 training, 96 x 254 tokens, 24 layers: element-wise passes stay bf16 (86,016 B per token of a
    layer, as in bf16), plus Transformer Engine's casts: Hopper cast+transpose 24h + 2f = 24,576 + 8,192 = 32,768 B,
    Blackwell casts only, 24h = 24,576 B, per token of a layer."""
    tokens_layers = 24 * 96 * 254
    for hardware, cast in (("H100 SXM5 80GB", 32_768), ("B200 (HGX B200)", 24_576)):
        row = pipeline.evaluate("BERT-Large", hardware, batch=96, seq_len=254, workload="training",
                                compute_dtype="fp8").row(0, named=True)
        assert row["elementwise_traffic_bytes"] == pytest.approx((86_016 + cast) * tokens_layers, rel=1e-12)
    bf16 = pipeline.evaluate("BERT-Large", "H100 SXM5 80GB", batch=96, seq_len=254, workload="training",
                             compute_dtype="bf16").row(0, named=True)
    assert bf16["elementwise_traffic_bytes"] == pytest.approx(86_016 * tokens_layers, rel=1e-12)
