"""registry_data/research/r-infx2: the InferenceX app's benchmarks fixture holds DeepSeek-R1 only, so no dense row was
added; its closed-loop check (closed_loop.py) reads a validation table: which rows it keeps, the deployment key and
the time the model leaves out, checked on a frame written by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-infx2"


@pytest.fixture(scope="module")
def check():
    return script(HERE / "closed_loop.py", "r_infx2_closed_loop")


def _validation() -> pl.DataFrame:
    """Two closed-loop latency rows of one deployment, a closed-loop throughput row and an open-loop latency row."""
    return pl.DataFrame({
        "name": ["a-itl", "b-itl", "a-tput", "c-itl"], "metric": ["itl_s", "itl_s", "tokens_per_s", "itl_s"],
        "model": ["M"] * 4, "hardware": ["H"] * 4, "framework": ["F"] * 4, "devices": [2] * 4,
        "concurrency": [1, 1, 1, None], "measured": [0.01858, 0.01891, 51.67, 0.02],
        "predicted": [0.01526, 0.01516, 62.8, 0.01], "error_pct": [-17.87, -19.83, 21.5, -50.0]})


def test_keeps_the_closed_loop_latency_rows(check):
    rows = check.closed_loop(_validation())
    assert rows["name"].to_list() == ["a-itl", "b-itl"]
    assert set(rows["deployment"]) == {"M | H | F | x2"}


def test_time_left_out_is_measured_minus_predicted(check):
    """By hand: (18.58 - 15.26) ms = 3.32 ms and (18.91 - 15.16) ms = 3.75 ms, median 3.535 ms (the script rounds
    to 0.01 ms); the medians of measured / predicted 18.745 / 15.21 ms."""
    table = check.gaps(check.closed_loop(_validation()), "deployment", "conc")
    row = table.row(0, named=True)
    assert table.height == 1 and row["rows"] == 2
    assert row["gap_ms"] == pytest.approx(3.535, abs=0.006)
    assert (row["measured_ms"], row["predicted_ms"]) == (pytest.approx(18.745, abs=0.006), 15.21)


def test_error_summary_is_r_infx_s(check):
    """The error table is r-infx's errors.summary (one implementation): median signed -18.85, |error| 18.85."""
    summary = check.infx_errors.summary(check.closed_loop(_validation()), "deployment").row(0, named=True)
    assert (summary["rows"], summary["predicted"]) == (2, 2)
    assert summary["signed"] == pytest.approx(-18.85, abs=0.051) and summary["abs"] == pytest.approx(18.85, abs=0.051)
