"""r-b300gemm: MI355X's GEMM evidence on the kernel fit (its MAMF rows and CU count name the catalog's MI355X, and
AMD's Gluon GEMM blog rows), the fractions the fit takes from them against figures read in the sources, and
add_rows.py changing nothing on a second run."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research"
# stas00's AMD BF16 table: 1024 matrix cores x 512 FMA per clock x 2 FLOP x 2.4 GHz
MI355X_BF16_PEAK_TFLOPS = 1024 * 512 * 2 * 2.4e9 / 1e12
MI355X_FP4_PEAK_TFLOPS = 4 * MI355X_BF16_PEAK_TFLOPS  # AMD's CDNA 4 matrix-core table: FP4 = 4x BF16 per clock


@pytest.fixture(scope="module")
def add_rows():
    return script(HERE / "r-b300gemm" / "add_rows.py", "r_b300gemm_add_rows")


def _row(hardware: str, precision: str) -> dict:
    k = load_catalogs().kernel_efficiency
    return k.filter((pl.col("hardware") == hardware) & (pl.col("precision") == precision)
                    & (pl.col("efficiency_basis") != "attention fit")).row(0, named=True)


def test_mi355x_takes_the_kernel_fit_from_its_own_mamf_row():
    """stas00 744d01e's MAMF table: MI355X BF16 1565 TFLOPS at 12288x8192x8192 over 2516.6 (1024 x 512 x 2 x 2.4 GHz);
    256 CUs (sm_count.csv); fp8 and int8 take bf16's fraction (no MAMF of their own)."""
    row = _row("MI355X", "bf16")
    assert row["efficiency_basis"] == "kernel fit" and row["units"] == 256
    assert row["best_fraction"] == pytest.approx(1565 / MI355X_BF16_PEAK_TFLOPS, rel=1e-3)
    assert _row("MI355X", "fp8")["best_fraction"] == row["best_fraction"]


def test_mi355x_fp4_ceiling_is_the_gluon_blogs_mxfp4_kernel():
    """AMD's ROCm blog (Gluon GEMM tutorial): MXFP4 4096x4096x32768 at 5255 TFLOPS, over 4 x 2516.6."""
    row = _row("MI355X", "fp4")
    assert row["efficiency_basis"] == "kernel fit"
    assert row["best_fraction"] == pytest.approx(5255 / MI355X_FP4_PEAK_TFLOPS, rel=1e-3)


def test_mi350x_stays_on_the_profile():
    """MI350X has no GEMM row or CU count of its own; the transfer to MI355X is r-b300gemm/mi350x_transfer.patch."""
    assert _row("MI350X", "bf16")["efficiency_basis"] == "profile η"


def test_a_second_run_changes_nothing(add_rows, tmp_path):
    for name in ("gemm.csv", "sm_count.csv"):
        shutil.copy(HERE / "r-kernels" / name, tmp_path / name)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert add_rows.main(tmp_path) == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_fresh_copy_gets_the_rows(add_rows, tmp_path):
    """On the r-kernels csvs as they were (MI355X unnamed, no blog rows) the script names the rows and appends 3 (the
    same lines as the bundled csv; r-rtxfp4's regeneration moves its own rows to the end, so the order differs)."""
    gemm = (HERE / "r-kernels" / "gemm.csv").read_bytes().decode()
    blog = "rocm.blogs.amd.com/software-tools-optimization/gluon-gemm-tutorial"
    old = "".join(ln.replace("MI355X,AMD", ",AMD", 1).replace(",AMD MI355X,,", ",AMD MI355X,yes,", 1)
                  .replace(",AMD Instinct MI355X,,", ",AMD Instinct MI355X,yes,", 1)
                  for ln in gemm.splitlines(keepends=True) if blog not in ln)
    (tmp_path / "gemm.csv").write_bytes(old.encode())
    shutil.copy(HERE / "r-kernels" / "sm_count.csv", tmp_path / "sm_count.csv")
    assert add_rows.main(tmp_path) == 3
    assert sorted((tmp_path / "gemm.csv").read_bytes().decode().splitlines()) == sorted(gemm.splitlines())
