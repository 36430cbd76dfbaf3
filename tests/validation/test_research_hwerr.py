"""research/r-hwerr/apply.py: MI300X's sustained FP8 matmul floor in msmf.csv and the kernel catalog (issue 12,
hwerr): the row is added once, the sustained fraction is the source's TFLOP/s over the peak and best fraction."""

from __future__ import annotations

import importlib.util
import shutil

import polars as pl
import pytest

from pipeline.catalogs.paths import bundled_registry

HERE = bundled_registry() / "research" / "r-hwerr" / "apply.py"


@pytest.fixture(scope="module")
def apply():
    spec = importlib.util.spec_from_file_location("r_hwerr_apply", HERE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_row_is_added_once(apply, tmp_path):
    copy = tmp_path / "msmf.csv"
    shutil.copy(apply.MSMF, copy)
    without = pl.read_csv(copy).filter(~((pl.col("hardware") == "MI300X") & pl.col("dtype").str.starts_with("fp8")))
    without.write_csv(copy)
    assert apply.add_row(copy) and not apply.add_row(copy)
    added = pl.read_csv(copy).filter(hardware="MI300X")
    assert added.height == 1 and added["msmf_tflops"].to_list() == [1215]


def test_the_catalog_holds_the_floor_over_peak_and_best_fraction():
    """1,215 TFLOP/s (RVS gst, 4864 x 4096 x 8192 fp8) / 2,614.9 TFLOP/s dense FP8 peak / best_fraction 0.598
    (781.9 / 1,307.4 TFLOP/s bf16 MAMF) = 0.777, by hand."""
    reg = bundled_registry()
    row = pl.read_parquet(reg / "kernel_efficiency.parquet").filter(hardware="MI300X", precision="fp8").row(
        0, named=True)
    assert row["sustained_fraction"] == pytest.approx(1215 / 2614.9 / 0.598, rel=2e-3)
    assert "ROCmValidationSuite" in row["sustained_source"]
