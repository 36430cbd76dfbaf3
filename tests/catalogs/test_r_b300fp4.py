"""registry_data/research/r-b300fp4/apply.py: the HGX B300's dense FP4 peak per GPU from NVIDIA's HGX page, the row's
other peaks against the same table, a second run changing nothing, and the kernel fit's TRANSFER chain that gives
the GB300 its FP4 GEMM model through B300 from B200."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.validation import gemm_fit
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-b300fp4"
HGX = "https://www.nvidia.com/en-us/data-center/hgx/"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_b300fp4_apply")


def _b300() -> dict:
    return read_catalog("hardware").filter(pl.col("name") == "B300 (HGX B300)").row(0, named=True)


def test_the_fp4_peak_is_the_hgx_pages_dense_board_figure_over_eight_gpus():
    """NVIDIA's HGX page, HGX B300 column (8 GPUs): 'FP4 Tensor Core 144 PFLOPS | 108 PFLOPS', footnote
    'Specification in Sparse | Dense' -> 108 PFLOPS / 8 = 13.5 PFLOPS dense per GPU; the same column's sparse
    'FP8/FP6 72 PFLOPS', 'FP16/BF16 36 PFLOPS', 'TF32 18 PFLOPS' (dense is half) and 'FP32 600 TFLOPS' are the row's
    other peaks; the source is that page, and the note quotes it."""
    row = _b300()
    assert row["peak_fp4_flop_per_s"] == 108e15 / 8 == 13.5e15
    assert row["peak_fp8_flop_per_s"] == 72e15 / 8 / 2
    assert row["peak_bf16_flop_per_s"] == row["peak_fp16_flop_per_s"] == 36e15 / 8 / 2
    assert row["peak_tf32_flop_per_s"] == 18e15 / 8 / 2
    assert row["peak_fp32_flop_per_s"] == 600e12 / 8
    assert row["source_url"] == HGX and row["source_quality"] == "secondary"
    assert str(row["last_verified"]) == "2026-12-03"  # read through copies: r-reg13's rule, it does not move
    assert "'FP4 Tensor Core 144 PFLOPS | 108 PFLOPS'" in row["notes"] and "(r-b300fp4)" in row["notes"]


def test_between_the_b200_and_the_gb300():
    """Blackwell Ultra's dense FP4 is 1.5x Blackwell's at the HGX clock (13.5 vs HGX B200's 9 PF) and below the GB300
    NVL72 GPU's 15 PF (rack 1,080 PF / 72) by the two parts' bf16 ratio, 2.25 / 2.5."""
    hw = read_catalog("hardware").select("name", "peak_fp4_flop_per_s", "peak_bf16_flop_per_s")
    peak = {n: (f, b) for n, f, b in hw.iter_rows()}
    assert peak["B300 (HGX B300)"][0] == pytest.approx(1.5 * peak["B200 (HGX B200)"][0], rel=1e-12)
    ratio = peak["B300 (HGX B300)"][1] / peak["GB300 NVL72 GPU"][1]
    assert peak["B300 (HGX B300)"][0] == pytest.approx(peak["GB300 NVL72 GPU"][0] * ratio, rel=1e-12)


def test_a_second_run_changes_nothing(apply, tmp_path):
    registry = Path(__file__).resolve().parents[2] / "registry_data"
    shutil.copy(registry / "hardware.parquet", tmp_path / "hardware.parquet")
    before = (tmp_path / "hardware.parquet").read_bytes()
    apply.main(tmp_path)
    assert (tmp_path / "hardware.parquet").read_bytes() == before
    hardware = read_catalog("hardware")
    assert apply.with_fp4_peak(hardware).equals(hardware)
    assert _b300()["notes"].count("(r-b300fp4)") == 1


def test_a_catalog_without_the_row_is_refused(apply):
    hardware = read_catalog("hardware").filter(pl.col("name") != "B300 (HGX B300)")
    with pytest.raises(ValueError, match="B300.*column name"):
        apply.with_fp4_peak(hardware)


def test_a_transferred_ceiling_follows_the_chain():
    """GB300 -> B300 -> B200: a precision only B200 measured (fp4) reaches B300 and GB300, named after B200; one B300
    measured itself (bf16) reaches GB300 named after B300; one nobody measured stays empty."""
    out = pl.DataFrame({
        "hardware": ["B200 (HGX B200)", "B300 (HGX B300)", "GB300 NVL72 GPU"] * 3,
        "precision": ["fp4"] * 3 + ["bf16"] * 3 + ["int8"] * 3,
        "ceiling": [0.95, None, None, 1.0, 0.99, None, None, None, None],
        "best_fraction": [0.63, None, None, 0.77, 0.78, None, None, None, None],
        "source_url": ["a", None, None, "b", "c", None, None, None, None]})
    got = {(h, p): (c, b, s, f) for h, p, c, b, s, f, _ in gemm_fit.fill_from_donors(
        out, ["B200 (HGX B200)"]).select(*out.columns, "ceiling_from", "transferred_from").iter_rows()}
    assert got["B300 (HGX B300)", "fp4"] == got["GB300 NVL72 GPU", "fp4"] == (0.95, 0.63, "a", "B200 (HGX B200)")
    assert got["B300 (HGX B300)", "bf16"] == (0.99, 0.78, "c", None)
    assert got["GB300 NVL72 GPU", "bf16"] == (0.99, 0.78, "c", "B300 (HGX B300)")
    assert got["GB300 NVL72 GPU", "int8"] == (None, None, None, None)
