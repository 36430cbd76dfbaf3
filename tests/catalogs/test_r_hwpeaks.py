"""registry_data/research/r-hwpeaks/apply.py: the CDNA 4 parts' dense FP4 peaks from AMD's ROCm blog's MFMA table,
the Blackwell rows against NVIDIA's exemplar-performance peak table, a second run changing nothing, and the kernel
catalog's new FP4 rows for the two AMD parts."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import REGISTRY, script

HERE = REGISTRY / "research" / "r-hwpeaks"
GIB = 2**30

# AMD ROCm blog 'Matrix Core Programming on AMD CDNA3 and CDNA4 architecture', MFMA table: 32x32x64 F8F6F4 takes 32
# cycles with FP4 inputs (64 with an FP8 input); peak = 2*M*N*K * matrix cores * clock / cycles; 256 CUs x 4 cores
FP4_PER_CORE_CLOCK = 2 * 32 * 32 * 64 / 32
FP8_PER_CORE_CLOCK = 2 * 32 * 32 * 64 / 64
CORES = 256 * 4


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_hwpeaks_apply")


@pytest.fixture(scope="module")
def hardware() -> pl.DataFrame:
    return read_catalog("hardware")


def _row(hardware: pl.DataFrame, name: str) -> dict:
    return hardware.filter(pl.col("name") == name).row(0, named=True)


def test_mi355x_peaks_are_the_blogs_mfma_rates_at_2400_mhz(hardware):
    """The blog's MI355X column: Matrix FP4 10 PF, FP8 5 PF, FP16 2.5 PF, FP32 157.3 TF; its formula with 1,024 matrix
    cores at 2,400 MHz gives each (32x32x2 FP32 in 64 cycles: 157.3 TF)."""
    row = _row(hardware, "MI355X")
    assert row["peak_fp4_flop_per_s"] == FP4_PER_CORE_CLOCK * CORES * 2.4e9 == 10_066.32960e12
    assert row["peak_fp4_flop_per_s"] == pytest.approx(10e15, rel=0.01)
    assert row["peak_fp8_flop_per_s"] == pytest.approx(FP8_PER_CORE_CLOCK * CORES * 2.4e9, rel=1e-12)
    assert row["peak_fp16_flop_per_s"] == pytest.approx(2 * 32 * 32 * 16 / 32 * CORES * 2.4e9, rel=1e-12)
    assert row["peak_fp32_flop_per_s"] == pytest.approx(2 * 32 * 32 * 2 / 64 * CORES * 2.4e9, rel=1e-3)
    assert row["peak_int8_flop_per_s"] == 5e15  # not in the blog: unchanged
    assert str(row["last_verified"]) == "2026-12-03" and row["source_quality"] == "secondary"  # r-reg13's rule
    assert "(r-hwpeaks)" in row["notes"] and "32 cycles with FP4/FP6 inputs" in row["notes"]


def test_mi350x_fp4_is_the_same_rate_at_its_2200_mhz(hardware):
    row = _row(hardware, "MI350X")
    assert row["peak_fp4_flop_per_s"] == FP4_PER_CORE_CLOCK * CORES * 2.2e9 == 9_227.4688e12
    assert row["peak_fp4_flop_per_s"] == pytest.approx(2 * row["peak_fp8_flop_per_s"], rel=1e-12)
    assert str(row["last_verified"]) == "2026-12-03" and row["source_quality"] == "secondary"


def test_the_fp4_rate_is_dense():
    """The CDNA 4 sparse family (SMFMAC) has no FP4/FP6 source type (LLVM's AMDGPU dialect), so 10 PF is not a
    2:4-sparse figure; the notes say so and the ladder FP4 = 2 x FP8 = 4 x FP16 holds."""
    hw = read_catalog("hardware").filter(pl.col("name").is_in(["MI355X", "MI350X"]))
    for r in hw.iter_rows(named=True):
        assert "SMFMACSparseInTypes" in r["notes"]
        assert r["peak_fp4_flop_per_s"] == pytest.approx(4 * r["peak_fp16_flop_per_s"], rel=1e-12)


@pytest.mark.parametrize(("name", "bf16", "fp8", "fp4", "memory_gib", "tdp_w", "bandwidth"), [
    # NVIDIA exemplar-performance README, 'Peak Theoretical Throughput' (non-sparse TFLOPS) and reference systems
    ("B200 (HGX B200)", 2250e12, 4500e12, 9000e12, 180, 1000, 7.7e12),
    ("B300 (HGX B300)", 2250e12, 4500e12, 13500e12, 270, 1100, 7.7e12)])
def test_hgx_rows_equal_nvidias_non_sparse_table(hardware, name, bf16, fp8, fp4, memory_gib, tdp_w, bandwidth):
    row = _row(hardware, name)
    assert (row["peak_bf16_flop_per_s"], row["peak_fp8_flop_per_s"], row["peak_fp4_flop_per_s"]) == (bf16, fp8, fp4)
    assert row["memory_capacity_bytes"] == memory_gib * GIB and row["tdp_w"] == tdp_w
    assert row["memory_bandwidth_bytes_per_s"] == bandwidth
    assert "exemplar-performance" in row["notes"] and str(row["last_verified"]) == "2026-12-03"


@pytest.mark.parametrize(("name", "bf16", "fp8", "fp4"), [
    ("GB200 NVL72 GPU", 2450e12, 4900e12, 9800e12), ("GB300 NVL72 GPU", 2450e12, 4900e12, 14700e12)])
def test_nvl72_rows_keep_the_datasheet_two_percent_above_nvidias_mfu_table(hardware, name, bf16, fp8, fp4):
    """The exemplar table's NVL72 figures are 2 % below the rack datasheet / 72 the rows hold: recorded, not applied."""
    row = _row(hardware, name)
    got = (row["peak_bf16_flop_per_s"], row["peak_fp8_flop_per_s"], row["peak_fp4_flop_per_s"])
    assert got == pytest.approx((bf16 / 0.98, fp8 / 0.98, fp4 / 0.98), rel=1e-12)
    assert "Not applied" in row["notes"] and "(r-hwpeaks)" in row["notes"]


def test_an_mi355x_fp4_run_evaluates_at_its_peak():
    """A null FP4 peak made an FP4 run on MI355X unpredictable; its ridge is now 10.07 PF / 8 TB/s."""
    row = pipeline.evaluate(model="Llama 2 7B", hardware="MI355X", batch=1, compute_dtype="fp4").row(0, named=True)
    assert row["ridge_point_flop_per_byte"] == pytest.approx(FP4_PER_CORE_CLOCK * CORES * 2.4e9 / 8e12, rel=1e-3)
    assert row["latency_s"] > 0


def test_the_kernel_catalog_has_fp4_rows_for_both():
    ke = read_catalog("kernel_efficiency").filter(pl.col("hardware").is_in(["MI355X", "MI350X"])
                                                  & (pl.col("precision") == "fp4"))
    assert sorted(ke["hardware"]) == ["MI350X", "MI355X"]
    # MI355X: its CU count and MAMF / Gluon blog rows (r-b300gemm); MI350X has no unit count or GEMM rows of its own
    assert dict(zip(ke["hardware"], ke["efficiency_basis"])) == {"MI355X": "kernel fit", "MI350X": "profile η"}


def test_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "hardware.parquet", tmp_path / "hardware.parquet")
    before = (tmp_path / "hardware.parquet").read_bytes()
    apply.main(tmp_path)
    assert (tmp_path / "hardware.parquet").read_bytes() == before
    hardware = read_catalog("hardware")
    assert apply.with_peaks(hardware).equals(hardware)
    assert _row(hardware, "MI355X")["notes"].count("(r-hwpeaks)") == 1


def test_the_change_from_the_catalog_before(apply, hardware):
    """Applied to the rows as they were (FP4 null, no r-hwpeaks sentence), the script gives the catalog as it is:
    the two FP4 peaks and the notes, nothing else (last_verified stays)."""
    before = hardware.with_columns(
        pl.when(pl.col("name").is_in(["MI355X", "MI350X"])).then(None).otherwise(pl.col("peak_fp4_flop_per_s"))
        .alias("peak_fp4_flop_per_s"),
        pl.col("notes").str.replace(r" \| 2026-12-07 \(r-hwpeaks\).*$", ""))
    after = apply.with_peaks(before)
    assert after.equals(hardware)


def test_a_catalog_without_a_row_is_refused(apply, hardware):
    with pytest.raises(ValueError, match="MI350X.*column name"):
        apply.with_peaks(hardware.filter(pl.col("name") != "MI350X"))
