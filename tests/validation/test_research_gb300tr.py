"""r-gb300tr: NVIDIA's cuDNN SDPA tables on GB200 / GB300 (bundled unchanged) and the what-if's attention times by
hand (registry_data/research/r-gb300tr/README.md)."""

from __future__ import annotations

import polars as pl
import pytest

from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-gb300tr"


def test_the_bundled_tables_are_nvidias_cudnn_9_22_runs_on_each_gpu():
    """Each file's rows name its GPU and cuDNN 9.22 (backend 92200); the forward FLOP count is FlashAttention's
    causal 4·s²·d·heads·batch / 2 and the backward's 2.5 times it: GB300 bf16 at s 8192 (batch 2, 64 heads, d 128)
    2.199e12 FLOP in 1.185 ms = 1,856 TFLOP/s, 5.498e12 in 3.832 ms = 1,435."""
    for name, gpu in (("llama3.1_20260424_100750.csv", "NVIDIA GB200"), ("llama3.1_20260424_100757.csv",
                                                                           "NVIDIA GB300")):
        t = pl.read_csv(HERE / "cudnn_sdpa_fb682ce" / name)
        assert t["gpu_name"].unique().to_list() == [gpu] and t["cudnn_backend_version"].unique().to_list() == [92200]
    whatif = script(HERE / "whatif.py", "r_gb300tr_whatif")
    fwd, bwd = whatif.kernel_ms("GB300 NVL72 GPU", "bfloat16", 8192)
    assert (fwd, bwd) == (1.185, 3.832)
    flop = 4 * 8192**2 * 128 * 64 * 2 / 2
    assert flop / (fwd * 1e-3) / 1e12 == pytest.approx(1856, rel=1e-3)
    assert 2.5 * flop / (bwd * 1e-3) / 1e12 == pytest.approx(1435, rel=1e-3)
    assert whatif.kernel_ms("GB200 NVL72 GPU", "fp8", 8192) == (1.074, 3.781)


def test_the_lora_rows_attention_by_the_study_and_by_the_kernel():
    """Llama 2 70B LoRA on 72 GB300s (cp 8, selective recompute, FP8 DPA): the study's 80 layers x 2.199e12 FLOP
    (full mask) / 8 x (3 + 1) / (2.5e15 x 0.3445) = 0.1021 s; cuDNN FP8's 80 x 64 heads / 8 x (2 x 0.759 + 3.087) ms
    / 128 = 0.0230 s; GB200's table 80 x 8 x (2 x 1.074 + 3.781) / 128 ms = 0.0296 s."""
    whatif = script(HERE / "whatif.py", "r_gb300tr_whatif")
    row = {"recompute": "selective", "microbatch": 1.0, "tp": 1.0, "cp": 8.0, "stage_layers": 80.0,
           "attention_core_forward_flop_per_sequence": 4 * 8192**2 * 8192, "attention_peak_flop_per_s": 2.5e15,
           "eta_compute": 0.3445, "fp8_dot_product_attention": True, "seq_len": 8192.0, "n_heads": 64.0}
    model, kernel = whatif.attention_s(row, "GB300 NVL72 GPU")
    assert model == pytest.approx(80 * 4 * 8192**3 / 8 * 4 / (2.5e15 * 0.3445), rel=1e-12)
    assert model == pytest.approx(0.1021, abs=5e-5)
    assert kernel == pytest.approx(80 * 64 / 8 * (2 * 0.759 + 3.087) / 1e3 / 128, rel=1e-12)
    assert whatif.attention_s(row, "GB200 NVL72 GPU")[1] == pytest.approx(80 * 8 * 5.929 / 128 / 1e3, rel=1e-12)
