"""Issue 13 item 5 (registry_data/research/r-reg13): the secondary hardware rows name the primary document they
lack, the figures read in a primary document this pass equal the row, and MI350X (peaks derived from news
reports) is flagged secondary."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog

GIB = 2**30
MIB = 2**20
ROCM_SPECS = "github.com/ROCm/ROCm/blob/e396b4898f459db094bfd60b876f419f77eb9f09/docs/reference/gpu-arch-specs.rst"


@pytest.fixture(scope="module")
def hardware() -> pl.DataFrame:
    return read_catalog("hardware")


def _row(frame: pl.DataFrame, name: str) -> dict:
    return frame.filter(pl.col("name") == name).row(0, named=True)


def test_every_secondary_row_names_its_missing_primary_document(hardware):
    secondary = hardware.filter(pl.col("source_quality") == "secondary")
    # 33 before r-reg13, + MI350X; - MI300A, MI210 (r-reg13d); + RTX PRO 6000 Server Edition (r-v51fill)
    assert secondary.height == 33
    lacking = secondary.filter(~pl.col("notes").str.contains(r"\(r-reg13\)|\(r-v51fill\)")
                               | ~pl.col("notes").str.contains(r"(?i)missing primary|published none"))
    assert lacking["name"].to_list() == []


def test_mi350x_peaks_from_news_reports_are_secondary(hardware):
    row = _row(hardware, "MI350X")
    assert row["source_quality"] == "secondary"
    assert "read through news reports" in row["notes"]


@pytest.mark.parametrize(("name", "vram_gib", "cache_mib"), [
    # ROCm 'Accelerator and GPU hardware specifications' table (commit e396b489): VRAM (GiB), L3 or L2 (MiB)
    ("MI300A", 128, 256), ("MI325X", 256, 256), ("MI250X", 128, 16), ("MI210", 64, 8)])
def test_amd_capacity_and_cache_equal_rocm_table(hardware, name, vram_gib, cache_mib):
    row = _row(hardware, name)
    assert row["memory_capacity_bytes"] == vram_gib * GIB
    assert row["sram_bytes"] == cache_mib * MIB
    assert ROCM_SPECS in row["notes"]


@pytest.mark.parametrize(("name", "cus", "gcds"), [("MI250X", 220, 2), ("MI210", 104, 1)])
def test_cdna2_rates_equal_rocm_mi250_page(hardware, name, cus, gcds):
    """ROCm MI250 page: Matrix FP16 1024 FLOPS/clock/CU; 362.1 TFLOPS for 208 CUs -> 1.7 GHz peak clock;
    HBM2e 1.6 TB/sec per GCD."""
    clock = 362.1e12 / (208 * 1024)
    assert clock == pytest.approx(1.7e9, rel=1e-3)
    row = _row(hardware, name)
    assert row["peak_fp16_flop_per_s"] == pytest.approx(cus * 1024 * 1.7e9, rel=1e-3)
    assert row["memory_bandwidth_bytes_per_s"] == gcds * 1.6e12


def test_tpu7x_figures_equal_google_page(hardware):
    """docs.cloud.google.com/tpu/docs/tpu7x table: BF16 2307 TFLOPs, FP8 4614 TFLOPs, HBM 192 GiB per chip."""
    row = _row(hardware, "TPU v7 (Ironwood)")
    assert row["source_url"].startswith("https://docs.cloud.google.com/tpu/docs/tpu7x")
    assert (row["peak_bf16_flop_per_s"], row["peak_fp8_flop_per_s"]) == (2307e12, 4614e12)
    assert row["memory_capacity_bytes"] == 192 * GIB
    assert row["source_quality"] == "secondary"  # the HBM bandwidth and ICI rows of that table were not read


def test_dgx_spark_memory_equals_nvidia_playbook_table(hardware):
    """NVIDIA/dgx-spark-playbooks cutile-kernels README, 'Platform Specifications': 128 GB LPDDR5x, 273 GB/s."""
    row = _row(hardware, "DGX Spark (GB10)")
    assert row["memory_capacity_bytes"] == 128 * GIB
    assert row["memory_bandwidth_bytes_per_s"] == 273e9
    assert "github.com/NVIDIA/dgx-spark-playbooks/blob/0db7c141" in row["notes"]
    assert row["source_quality"] == "secondary"  # FP4 peak and TDP not in an NVIDIA document read here
