"""Regression guard (issue 12 item 8): per metric, the error at the catalog's eta, the error after
calibration cross-validated by whole source, and the number of rows predicted, against the
recorded baseline (tests/validation/make_baseline.py writes it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.validation.make_baseline import baseline

HERE = Path(__file__).resolve().parent
BASELINE = json.loads((HERE / "baseline.json").read_text())["metrics"]
SLACK = 2.0  # points


@pytest.fixture(scope="module")
def now(bundled) -> dict[str, dict]:
    return baseline(bundled)["metrics"]


@pytest.mark.parametrize("metric", sorted(BASELINE))
@pytest.mark.parametrize("kind", ["catalog", "cv"])
def test_error_does_not_grow(now, metric, kind):
    recorded = BASELINE[metric][kind]
    assert metric in now, f"{metric}: no predicted rows any more (recorded {BASELINE[metric]['predicted']})"
    assert now[metric][kind] <= recorded + SLACK, (
        f"{metric}: {kind} median error {now[metric][kind]} > recorded {recorded} + {SLACK}; fix the regression "
        "or record a new baseline (tests/validation/make_baseline.py) with a CHANGELOG line")


@pytest.mark.parametrize("metric", sorted(BASELINE))
def test_no_fewer_rows_are_predicted(now, metric):
    assert now.get(metric, {}).get("predicted", 0) >= BASELINE[metric]["predicted"], metric


def test_every_recorded_value_has_a_changelog_line():
    changelog = " ".join((HERE.parent.parent / "CHANGELOG.md").read_text().split())
    for metric, e in BASELINE.items():
        assert f"{metric}: catalog {e['catalog']}, cv {e['cv']}, predicted {e['predicted']}" in changelog, metric
