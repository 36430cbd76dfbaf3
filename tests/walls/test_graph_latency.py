"""Form F4 of a graphed batch-1 step (pipeline.walls.graph_latency) against r-accf4's and r-accf5's hand values."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import api
from pipeline.catalogs.io import read_catalog
from pipeline.units import col
from pipeline.walls.graph_latency import graphed_step_s


def f4(kernels: float, clock_hz: float, compute_s: float, memory_s: float) -> float:
    frame = pl.DataFrame({"n": [kernels], "clock": [clock_hz], "c": [compute_s], "m": [memory_s]})
    out = graphed_step_s(col("n", ""), col("clock", "Hz"), col("c", "s"), col("m", "s"))
    return frame.select(out.to("s").expr).item()


def test_bert_on_an_a100_at_177_tokens_is_r_accf4s_hand_value():
    """r-accf4 §1: A100 SXM4 at 1.4106 GHz (624 T / (108 x 4,096)), 170 TensorRT kernels, compute_4 0.3660 ms (its
    GEMMs at k_half = 0 plus attention and norms), memory below it: 170 x 6.7738 + 366.0 + 2.5 + 0.17 us = 1.5202 ms."""
    assert f4(170, 624e12 / (108 * 4096), 0.3660e-3, 0.1e-3) == pytest.approx(1.5202e-3, abs=1e-7)


def test_the_memory_time_binds_when_it_exceeds_compute_and_alpha_scales_with_the_clock():
    """Half the A100's clock doubles every kernel's fixed part (6.7738 -> 13.5476 us); memory 0.5 ms over compute
    0.3 ms: 170 x 13.5476 + 500 + 2.5 + 0.17 us = 2.8058 ms."""
    assert f4(170, 624e12 / (108 * 4096) / 2, 0.3e-3, 0.5e-3) == pytest.approx(2.8058e-3, abs=1e-7)


def _latency(model: str, hardware: str, tokens: int, framework: str, batch: int = 1) -> dict:
    return api.evaluate(model, hardware, batch=batch, compute_dtype="int8", seq_len=tokens,
                        framework=framework).row(0, named=True)


def test_the_package_prices_bert_on_an_a100_as_r_accf4_and_r_accf5_by_hand():
    """The TensorRT profile (170 kernels, graphed at batch 1), the A100's SM clock and its int8 GEMMs at k_half = 0:
    r-accf4 §1's hand value at 177 tokens, 1.5202 ms (compute_4 0.3660 ms), and r-accf5 §2's at SQuAD's p90 length,
    272 tokens, 1.6647 ms; the 'default' framework keeps the eager form (F0: 1.712 ms at 177 tokens)."""
    at_177 = _latency("BERT-Large", "A100 SXM4 80GB", 177, "TensorRT")
    assert at_177["graph_compute_time_s"] == pytest.approx(0.3660e-3, abs=1e-7)
    assert at_177["latency_s"] == pytest.approx(1.5202e-3, abs=1e-7)
    assert _latency("BERT-Large", "A100 SXM4 80GB", 272, "TensorRT")["latency_s"] == pytest.approx(1.6647e-3, abs=1e-7)
    eager = _latency("BERT-Large", "A100 SXM4 80GB", 177, "default")
    assert eager["graph_compute_time_s"] is None and eager["latency_s"] == pytest.approx(1.712e-3, abs=1e-6)


def test_a_cnn_graph_runs_its_convs_one_by_one_and_retinanet_and_batch_64_enqueue_them():
    """ResNet-50 on an A100 (r-accrest §4, G5): the conv_layers catalog's 54 kernels x 9,555 cycles / 1.41059 GHz =
    365.79 us, the larger of the memory time and its convs' time (tests/walls/test_graph_convs.py), + 2.5 us + 54 ns.
    RetinaNet is not graphed by the harness (use_graphs False) and batch 64 is not batch 1: no graph, the same kernels
    enqueued ahead by the host (r-accrest §8 item 3, r-acccnn): 111 / 54 alphas + max(convs, memory) + one 4 us
    launch (the TensorRT profile's), not the 'default' framework's flat-η step."""
    got = _latency("ResNet-50", "A100 SXM4 80GB", 1, "TensorRT")
    convs = read_catalog("conv_layers").filter(pl.col("model") == "ResNet-50")
    assert convs["count"].sum() == 54
    work = max(got["graph_compute_time_s"], got["memory_time_s"])
    assert got["latency_s"] == pytest.approx(54 * 6.773810894574074e-06 + work + 2.5e-6 + 54e-9, rel=1e-9)
    for model, batch, kernels in (("RetinaNet", 1, 111), ("ResNet-50", 64, 54)):
        trt, eager = (_latency(model, "A100 SXM4 80GB", 1, fw, batch) for fw in ("TensorRT", "default"))
        assert trt["graph_compute_time_s"] is None and trt["latency_s"] != eager["latency_s"]
        work = max(trt["compute_time_s"], trt["memory_time_s"])
        assert trt["latency_s"] == pytest.approx(kernels * 6.773810894574074e-06 + work + 4e-6, rel=1e-9)


def test_a_training_step_keeps_its_flops_at_one_eta():
    """A CNN training step's backward convs are other shapes than the forward's: its compute stays FLOPs / (peak x
    eta), ResNet-50 at batch 256 on an H100 SXM in fp16, 6.2807 TFLOP / (989.4 T x 0.5) = 12.696 ms."""
    got = api.evaluate("ResNet-50", "H100 SXM5 80GB", batch=256, compute_dtype="fp16", workload="training",
                       framework="TensorRT").row(0, named=True)
    assert got["step"] == "train" and got["eta_compute"] == 0.5
    assert got["compute_time_s"] == pytest.approx(6.2807e12 / (989.4e12 * 0.5), rel=1e-4)


def test_a_part_without_an_sm_clock_keeps_the_eager_form():
    """The hardware catalog states sm_clock_hz for the 9 NVIDIA parts r-accwire derived it for; an MI300X has none,
    so a graphed BERT step there is priced as the 'default' framework's."""
    trt, eager = (_latency("BERT-Large", "MI300X", 177, fw) for fw in ("TensorRT", "default"))
    assert trt["latency_s"] == eager["latency_s"]


def test_a_part_without_an_int8_fit_runs_its_graphed_gemms_at_the_fits_default_form():
    """L4, BERT-Large at SQuAD's p90 length (272 tokens), TensorRT: the L4 has no int8 GEMM microbenchmark, so its
    graphed GEMMs run r-accf4 §1's default fit form: 58 SMs (hardware.sm_count), 128 x 128 tiles, ceiling 0.908845
    and best fraction 0.745178 (the kernel fit's for parts without a MAMF row), k_half = 0. By hand, M = 272 -> 3 M
    tiles, tile efficiency 272 / 384 = 0.708333:
    QKV (N 3,072, K 1,024): 72 tiles, split 1, wave 72 / 116 = 0.620690, eta 0.908845 x 0.620690 x 0.708333 = 0.399578;
    O (1,024, 1,024) and FC2 (1,024, 4,096): 24 tiles, split floor(58 / 24) = 2, wave 48 / 58; FC1 (4,096, 1,024): 96
    tiles, wave 96 / 116: each 0.908845 x 0.827586 x 0.708333 = 0.532771 (all under the best fraction).
    A layer's FLOPs 2 x 272 x 1,024 x (3,072 | 1,024 | 4,096 | 4,096) = 1.711276 / 0.570425 / 2.281701 / 2.281701 G,
    at 242.5 TOPS x eta: 17.6606 + 39.7363 us; x 24 layers = 1,377.53 us. Attention 4 x 1,024 x 272^2 and norms
    10 x 272 x 1,024 FLOPs a layer at the profile's eta 0.3: 24 x 305.824 M / 72.75 T = 100.89 us.
    compute_4 = 1,478.42 us (the profile eta's 2,360.5 us, F4p, before). alpha = 9,555.05 cycles / (242.5 T / (58 x
    2,048) = 2.041521 GHz) = 4.68037 us; the memory time (1,898.8 us) binds: F4 = 170 x 4.68037 us + 1,898.80 us +
    2.5 us + 0.17 us = 2,697.1 us (r-accf5 §3's F4h @272: the run's 2.5757 ms +4.7 %). The eager rows keep the
    profile eta ('default': 2,360.5 us of compute)."""
    got = _latency("BERT-Large", "L4", 272, "TensorRT")
    assert got["graph_compute_time_s"] == pytest.approx(1478.42e-6, abs=0.02e-6)
    assert got["eta_compute"] == pytest.approx(0.3)
    assert got["memory_time_s"] > got["graph_compute_time_s"]
    assert got["latency_s"] == pytest.approx(170 * 4.68037e-6 + got["memory_time_s"] + 2.5e-6 + 170e-9, rel=1e-6)
    assert got["latency_s"] == pytest.approx(2697.1e-6, abs=0.1e-6)
    eager = _latency("BERT-Large", "L4", 272, "default")
    assert got["compute_time_s"] == eager["compute_time_s"] == pytest.approx(2360.5e-6, abs=0.1e-6)
