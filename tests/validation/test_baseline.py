"""Regression guard: the cross-validated error of every metric group against the recorded baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import cv_summary, errors, predict, read_measurements
from pipeline.validation.calibrate import fit

HERE = Path(__file__).resolve().parent
BASELINE = json.loads((HERE / "baseline.json").read_text())["metrics"]
SLACK = 2.0  # points


@pytest.fixture(scope="module")
def summary() -> dict[str, dict]:
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    _, cv = fit(table)
    frame = cv_summary(table.join(cv, on="name", how="left"))
    return {r["metric"]: r for r in frame.iter_rows(named=True)}


@pytest.mark.parametrize("metric", sorted(BASELINE))
def test_cross_validated_error_does_not_grow(summary, metric):
    recorded = BASELINE[metric]["cv_median_abs_error"]
    assert metric in summary, f"{metric}: no predicted rows any more (recorded {BASELINE[metric]['rows']})"
    now = summary[metric]["cv"]
    assert now <= recorded + SLACK, (f"{metric}: cross-validated median error {now:.1f} > recorded {recorded} + "
                                     f"{SLACK}; fix the regression or record a new baseline with a CHANGELOG line")


def test_every_recorded_value_has_a_changelog_line():
    changelog = (HERE.parent.parent / "CHANGELOG.md").read_text()
    for metric, entry in BASELINE.items():
        assert f"{metric} {entry['cv_median_abs_error']}" in " ".join(changelog.split()), metric
