"""Calibration: η fitted per group, in and out of sample."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation import ETA_GRID
from pipeline.validation.calibrate import fit


def test_calibration_recovers_a_known_eta_out_of_sample(table):
    """Measurements made by the model itself at eta 0.37: the fit finds 0.37 in and out of sample."""
    hfu = table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    at = ETA_GRID.index(0.37)
    rows = [hfu | {"name": f"copy-{i}", "measured": hfu["grid"][at]} for i in range(3)]
    fitted, cv = fit(pl.DataFrame(rows, schema=table.schema))
    assert fitted["eta_fitted"].to_list() == [pytest.approx(0.37)]
    assert cv["cv_abs_error_pct"].max() < 1.0
