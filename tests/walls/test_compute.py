"""Wall 1 and 3 against known values: datasheet ridge points, Kaplan FLOPs, launch overhead."""

from __future__ import annotations

import pytest

import pipeline


@pytest.mark.parametrize("hardware, dtype, ridge", [
    ("A100 SXM4 80GB", "fp16", 312e12 / 2039e9),   # ~153 FLOP/B (A100 datasheet)
    ("H100 SXM5 80GB", "bf16", 989.4e12 / 3.35e12),  # ~295 FLOP/B (H100 datasheet, dense)
    ("MI300X", "fp16", 1307.4e12 / 5.3e12),        # ~247 FLOP/B (AMD datasheet)
])
def test_ridge_point_is_peak_over_bandwidth(hardware, dtype, ridge):
    row = pipeline.evaluate(model="ResNet-50", hardware=hardware, compute_dtype=dtype).row(0, named=True)
    assert row["ridge_point_flop_per_byte"] == pytest.approx(ridge, rel=1e-3)
    assert row["ridge_point_at_eta_flop_per_byte"] == pytest.approx(ridge * row["eta_compute"], rel=1e-3)


def test_resnet50_forward_flops_are_twice_the_macs():
    """torchvision: ResNet-50 4.09 GMACs at 224 x 224 -> 8.18 GFLOP per image."""
    row = pipeline.evaluate(model="ResNet-50", hardware="A100 SXM4 80GB", batch=64).row(0, named=True)
    assert row["step_flop"] == pytest.approx(64 * 8.18e9, rel=0.01)


def test_decode_flops_are_the_operators_of_every_layer():
    """Llama 2 7B, one token at S = 2048: 2 FLOP per matmul weight (Kaplan et al. 2020) over
    QKV (4096 x 3·4096), O (4096 x 4096), the gated MLP (3 x 4096 x 11008) and the LM head
    (32000 x 4096); attention 2·L·S·(d_q + d_v); norms and residual adds 10 FLOP per element."""
    row = pipeline.evaluate(model="Llama 2 7B", hardware="H100 SXM5 80GB", seq_len=2048,
                            step="decode").row(0, named=True)
    per_layer = 4096 * 3 * 4096 + 4096 * 4096 + 3 * 4096 * 11008
    matmuls = 2 * (32 * per_layer + 32000 * 4096)
    attention = 2 * 32 * 2048 * (4096 + 4096)
    norms = 10 * 32 * 4096
    assert row["step_flop"] == matmuls + attention + norms == 14_289_207_296


def test_training_step_is_three_forward_passes():
    inf = pipeline.evaluate(model="ResNet-50", hardware="H100 SXM5 80GB", batch=32).row(0, named=True)
    train = pipeline.evaluate(model="ResNet-50", hardware="H100 SXM5 80GB", batch=32,
                              workload="training").row(0, named=True)
    assert train["step_flop"] == pytest.approx(3 * inf["step_flop"])
    assert train["eta_compute"] == 0.5 and inf["eta_compute"] == 0.3  # the seed's defaults


def test_latency_is_the_larger_time_plus_launch_overhead():
    row = pipeline.evaluate(model="ResNet-50", hardware="A100 SXM4 80GB", batch=1).row(0, named=True)
    assert row["launch_overhead_s"] == pytest.approx(50 * 4e-6)
    expected = max(row["compute_time_s"], row["memory_time_s"]) + row["launch_overhead_s"]
    assert row["latency_s"] == pytest.approx(expected)
    assert row["bound"] == "overhead"  # 200 us of launches beat 87 us of compute at batch 1


def test_batch_one_decode_is_memory_bound_and_large_batch_prefill_compute_bound():
    decode = pipeline.evaluate(model="Llama 3 8B", hardware="H100 SXM5 80GB", batch=1, step="decode")
    prefill = pipeline.evaluate(model="Llama 3 8B", hardware="H100 SXM5 80GB", batch=8, step="prefill")
    assert decode["bound"].item() in ("memory", "overhead")
    assert decode["memory_time_s"].item() > decode["compute_time_s"].item()
    assert prefill["bound"].item() == "compute"


def _step_flop(model: str, vocab: int, workload: str = "training") -> float:
    return pipeline.evaluate(model, "H100 SXM5 80GB", batch=2, compute_dtype="bf16", seq_len=100, workload=workload,
                             overrides={"models.vocab_size": str(vocab)}).row(0, named=True)["step_flop"]


def test_an_encoder_pretraining_scores_fifteen_percent_of_its_tokens():
    """10,000 more vocabulary entries add 2 FLOPs x d per scored token, x 3 for a train step.
    BERT-Large (d 1024) scores 15 % of 2 x 100 tokens (Devlin et al. 2019 §3.1):
    3 x 2 x 1024 x 10,000 x 0.15 x 200 = 1.8432e9; GPT-2 XL (d 1600) scores every token:
    3 x 2 x 1600 x 10,000 x 200 = 1.92e10; BERT at inference has a task head, no vocabulary: 0."""
    assert _step_flop("BERT-Large", 40522) - _step_flop("BERT-Large", 30522) == pytest.approx(1.8432e9, rel=1e-9)
    assert _step_flop("GPT-2 XL", 60257) - _step_flop("GPT-2 XL", 50257) == pytest.approx(1.92e10, rel=1e-9)
    inference = _step_flop("BERT-Large", 40522, "inference") - _step_flop("BERT-Large", 30522, "inference")
    assert inference == 0


def test_compute_time_at_one_eta_is_flops_over_derated_peak():
    """Wall 1 without a kernel fit, by hand: 1e15 FLOP at 989.4 TFLOP/s x 0.5 takes 1e15 / 494.7e12 = 2.0214 s; a CNN
    inference step whose convs are priced (``conv_compute_time_s``, walls.graph_convs) takes their time instead."""
    import polars as pl

    from pipeline.units import col, unit
    from pipeline.walls.compute import at_one_eta_time_s

    time_s = at_one_eta_time_s(col("flop", unit("FLOP")), col("rate", unit("FLOP/s")), col("convs", unit("s")))
    frame = pl.DataFrame({"flop": [1e15, 1e15], "rate": [989.4e12 * 0.5] * 2, "convs": [None, 0.25]},
                         schema_overrides={"convs": pl.Float64})
    assert frame.select(time_s.expr).to_series().to_list() == [pytest.approx(2.021427, rel=1e-6), 0.25]
    assert time_s.unit == unit("s")
