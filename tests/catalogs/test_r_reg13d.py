"""Issue 13 item 5 (registry_data/research/r-reg13d): rows promoted to source_quality primary trace every figure
to AMD documents; their values equal the figures those documents give (hand-computed here from the quoted
per-CU rates, CU counts and clocks), and no promoted row keeps a sentence that reads a figure through a copy."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog

GIB = 2**30
# registry_data/research/r-quality/apply.py READ_THROUGH: a note sentence that reads a figure through a copy
READ_THROUGH = r"(?i)\bread (via|through)\b|transcri(ption|bed)|\bnot opened\b|re-host"


@pytest.fixture(scope="module")
def hardware() -> pl.DataFrame:
    return read_catalog("hardware")


def _row(frame: pl.DataFrame, name: str) -> dict:
    return frame.filter(pl.col("name") == name).row(0, named=True)


def test_counts(hardware):
    assert int((hardware["source_quality"] == "secondary").sum()) == 33  # 34 before r-reg13d; + 1 (r-v51fill)


@pytest.mark.parametrize("name", ["MI300A", "MI210"])
def test_promoted_rows_are_primary_and_read_through_no_copy(hardware, name):
    row = _row(hardware, name)
    assert row["source_quality"] == "primary"
    assert str(row["last_verified"]) == "2026-12-03"
    assert "(r-reg13d): every figure traced to AMD documents read here" in row["notes"]
    assert not pl.Series([row["notes"]]).str.contains(READ_THROUGH).item()
    assert row["source_url"].startswith("https://github.com/ROCm/")


def test_mi300a_peaks_are_228_cus_at_2100_mhz(hardware):
    """ROCm MI300 page FLOPS/clock/CU (FP32 256, TF32 1024, FP16/BF16 2048, FP8/INT8 4096); 228 CUs (ROCm specs
    table); max_sclk 2100 MHz (rocprofiler-compute MI300A sysinfo). Values at the printed precision (0.1 TFLOPS)."""
    row = _row(hardware, "MI300A")
    clock, cus = 2.1e9, 228
    for column, per_cu in [("fp32", 256), ("tf32", 1024), ("fp16", 2048), ("bf16", 2048), ("fp8", 4096)]:
        assert row[f"peak_{column}_flop_per_s"] == pytest.approx(round(cus * per_cu * clock / 1e11) * 1e11), column
    assert row["peak_int8_flop_per_s"] == pytest.approx(cus * 4096 * clock, rel=1e-3)  # data sheet '1.96 POPS'
    assert row["memory_bandwidth_bytes_per_s"] == pytest.approx(1300e6 * 4096, rel=0.01)  # hbm_bw 5324.8 GB/s
    assert row["tdp_w"] == 550  # rocm-smi 'PwrCap 550.0W' per MI300A socket
    assert row["memory_capacity_bytes"] == 128 * GIB and row["scaleup_domain_size"] == 4


def test_mi210_peaks_are_one_104_cu_gcd_at_1700_mhz(hardware):
    """ROCm blog: MI210 181 TFLOPs FP16, 1.6 TB/s; ROCm MI250 page: 104-CU GCD, 1.7 GHz, FP16/BF16/INT8 1024 and
    matrix FP32 256 FLOPS/clock/CU."""
    row = _row(hardware, "MI210")
    f16 = 104 * 1024 * 1.7e9
    assert f16 == pytest.approx(181e12, rel=1e-3)
    for column in ("fp16", "bf16", "int8"):
        assert row[f"peak_{column}_flop_per_s"] == pytest.approx(f16, rel=1e-3), column
    assert row["peak_fp32_flop_per_s"] == pytest.approx(104 * 256 * 1.7e9, rel=1e-3)
    assert row["memory_bandwidth_bytes_per_s"] == 1.6e12
    assert row["memory_capacity_bytes"] == 64 * GIB
    assert row["tdp_w"] is None


def test_bloom_traced_to_bigscience_documents():
    """BigScience tr11 README: NHIDDEN 14336, NLAYERS 70, NHEADS 112, SEQ_LEN 2048, embedding 250880 x 14336 =
    3,596,615,680 (the card's 'embedding parameters'), layer 12h^2 + 13h (4h GeLU MLP); tied embeddings."""
    models = read_catalog("models")
    row = _row(models, "BLOOM-176B")
    assert row["source_quality"] == "primary" and str(row["last_verified"]) == "2026-12-03"
    assert not pl.Series([row["notes"]]).str.contains(READ_THROUGH).item()
    h = 14336
    assert (row["d_model"], row["n_layers"], row["n_heads"], row["max_context_tokens"]) == (h, 70, 112, 2048)
    assert row["vocab_size"] * h == 3_596_615_680 and row["is_tied_embeddings"]
    assert row["ffn_dim"] == 4 * h and not row["is_gated_mlp"] and row["head_dim"] == h // 112
    # the README's layer size 12h^2 + 13h: attention 4h^2 + MLP 8h^2 weights; 13h of biases and LayerNorms
    assert 70 * (12 * h**2 + 13 * h) + 3_596_615_680 + 4 * h == 176_247_271_424  # + embed LN and final LN
    assert row["params_published"] == 176_247_271_424
    assert (int((models["source_quality"] == "secondary").sum())) == 9  # 10 before r-reg13d
