"""registry_data/research/r-cnnacc/clocks_apply.py: the SM clock and SM count of the H200 SXM and H200 NVL (the CNN
conv pricing of the node study needs both), against the datasheet peaks and the sources' figures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-cnnacc"


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "clocks_apply.py", "r_cnnacc_apply")


def test_the_h200_parts_hold_the_clock_their_datasheet_peak_is_quoted_at(apply):
    """H200 SXM: 1,979 T int8 / (132 SMs x 8,192 int8 ops a clock) = 1.83013 GHz (stas00's table: 1,830 MHz);
    H200 NVL: 1,670.5 T / (132 x 8,192) = 1.54484 GHz. Each clock cites the datasheet of its peak; the script is
    idempotent on the bundled catalog; the H100 NVL keeps none (r-accdefault leaves it out)."""
    hardware = read_catalog("hardware")
    row = {r["name"]: r for r in hardware.iter_rows(named=True)}
    for name, ghz in {"H200 SXM 141GB": 1.83013, "H200 NVL 141GB": 1.54484}.items():
        assert row[name]["sm_clock_hz"] / 1e9 == pytest.approx(ghz, abs=1e-5)
        assert row[name]["sm_count"] == 132
        assert row[name]["sm_clock_source_url"] == row[name]["source_url"]  # the datasheet the peak cites
        assert row[name]["sm_count_source_url"].startswith("https://")
    assert row["H100 NVL 94GB"]["sm_clock_hz"] is None and row["H100 NVL 94GB"]["sm_count"] is None
    assert apply.with_clocks(hardware, read_catalog("kernel_efficiency")).equals(hardware)


def test_a_count_off_the_kernel_fit_or_a_clock_off_the_catalogs_is_refused(apply):
    """The SM count must be the unit count the int8 kernel fit prices the part at (132 for both H200s); a part that
    already holds another clock is refused, naming the column."""
    hardware, kernels = read_catalog("hardware"), read_catalog("kernel_efficiency")
    other = kernels.with_columns(pl.when(pl.col("hardware") == "H200 NVL 141GB").then(114.0).otherwise("units")
                                 .alias("units"))
    with pytest.raises(ValueError, match="H200 NVL.*units"):
        apply.clocked(hardware, other)
    held = hardware.with_columns(pl.when(pl.col("name") == "H200 SXM 141GB").then(1.98e9).otherwise("sm_clock_hz")
                                 .alias("sm_clock_hz"))
    with pytest.raises(ValueError, match="H200 SXM.*sm_clock_hz"):
        apply.with_clocks(held, kernels)
