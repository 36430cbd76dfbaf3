"""Issue 12/13 (registry_data/research/r-gaudi): Gaudi 2's dense FP8 peak from Intel's white paper table, the
precisions Intel publishes no peak for, and the row's source and quality."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.quality import quality_of
from tests.catalogs.research import script

SCRIPT = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-gaudi" / "apply.py"


@pytest.fixture(scope="module")
def row() -> dict:
    return read_catalog("hardware").filter(pl.col("name") == "Gaudi 2").row(0, named=True)


def test_fp8_peak_is_the_white_papers_865_and_twice_the_mme_bf16_rate(row):
    # 2 MMEs x 256x256 MACs x 2 FLOP/MAC x 1.65 GHz = 432.54e12 (Intel rounds to 432); FP8 at twice that rate
    mme_bf16 = 2 * 256 * 256 * 2 * 1.65e9
    assert mme_bf16 == pytest.approx(432.5376e12)
    assert row["peak_bf16_flop_per_s"] == 432e12
    assert row["peak_fp8_flop_per_s"] == 865e12
    assert row["peak_fp8_flop_per_s"] == pytest.approx(2 * mme_bf16, rel=1e-3)  # 865.08e12, published 865


def test_unpublished_precisions_stay_empty_and_the_other_figures_are_unchanged(row):
    for column in ("peak_fp32_flop_per_s", "peak_tf32_flop_per_s", "peak_fp16_flop_per_s", "peak_int8_flop_per_s"):
        assert row[column] is None, column
    assert row["memory_capacity_bytes"] == 96 * 1024 ** 3  # MLPerf v4.0 HLS-Gaudi2-PT.json: '96 GB'
    assert row["memory_bandwidth_bytes_per_s"] == 2.46e12 and row["tdp_w"] == 600


def test_source_is_intels_white_paper_read_through_transcriptions(row):
    assert row["source_url"].startswith("https://www.intel.com/content/www/us/en/content-details/817486/")
    assert quality_of(row["source_url"]) == "primary"  # the domain rule; the notes make the row secondary
    assert row["source_quality"] == "secondary" and "read through transcriptions" in row["notes"]
    assert "'FP8 Matrix TFLOPs 865'" in row["notes"]


def test_script_is_idempotent(tmp_path):
    registry = tmp_path / "registry"
    shutil.copytree(SCRIPT.parents[2], registry, ignore=shutil.ignore_patterns("research"))
    module = script(SCRIPT, "r_gaudi_apply")
    assert module.apply(registry) == 0  # the bundled catalog already carries the change
    frame = read_catalog("hardware", registry).with_columns(
        peak_fp8_flop_per_s=pl.when(pl.col("name") == "Gaudi 2").then(None).otherwise("peak_fp8_flop_per_s"))
    write_catalog(frame, "hardware", registry, source="test: the row before r-gaudi")
    assert module.apply(registry) == 1
    again = read_catalog("hardware", registry).filter(pl.col("name") == "Gaudi 2")
    assert again["peak_fp8_flop_per_s"].item() == 865e12
    assert again["notes"].item().count("(r-gaudi)") == 1  # the note is not appended twice
