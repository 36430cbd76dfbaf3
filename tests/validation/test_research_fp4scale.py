"""r-fp4scale's catalog change (registry_data/research/r-fp4scale/apply.py), checked on an in-memory copy of the
bundled precisions catalog against sizes worked by hand from the formats' definitions: NVFP4 (NVIDIA ModelOpt
NVFP4_DEFAULT_CFG: E2M1 + an E4M3 scale per 16 elements), 16 elements = 8 B + 1 B = 9 B; OCP MXFP4 (E2M1 + an E8M0
scale per 32), 32 elements = 16 B + 1 B = 17 B."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, validate
from tests.catalogs.research import script

SCRIPT = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-fp4scale" / "apply.py"


@pytest.fixture(scope="module")
def apply():
    return script(SCRIPT, "r_fp4scale_apply")


def _bytes(frame: pl.DataFrame, name: str) -> float:
    return frame.filter(pl.col("name") == name)["bytes_per_element"].item()


def test_a_block_of_each_format_by_hand(apply):
    """16 NVFP4 elements take 9 B, 32 MXFP4 elements 17 B; the other formats keep their sizes."""
    before = read_catalog("precisions")
    after = validate(apply.applied(before), "precisions")
    assert 16 * _bytes(after, "fp4") == 9.0
    assert 32 * _bytes(after, "mxfp4") == 17.0
    sizes = {n: b for n, b in after.select("name", "bytes_per_element").iter_rows() if n not in ("fp4", "mxfp4")}
    assert sizes == {n: b for n, b in before.select("name", "bytes_per_element").iter_rows()
                     if n not in ("fp4", "mxfp4")}


def test_peaks_stay(apply):
    """The scales are read, not multiplied: fp4 keeps its tensor-core peak; mxfp4 is storage only."""
    after = apply.applied(read_catalog("precisions"))
    peaks = dict(after.select("name", "peak_column").iter_rows())
    assert peaks["fp4"] == "peak_fp4_flop_per_s" and peaks["mxfp4"] is None


def test_applying_twice_changes_nothing(apply):
    once = apply.applied(read_catalog("precisions"))
    assert apply.applied(once).equals(once)
