"""Print a new tests/validation/baseline.json and the CHANGELOG line it needs (run by hand:
`.venv/bin/python -m tests.validation.make_baseline > tests/validation/baseline.json`)."""

from __future__ import annotations

import json
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import cv_summary, errors, predict, read_measurements
from pipeline.validation.accuracy import catalog_eta_summary
from pipeline.validation.calibrate import fit

ABOUT = ("per metric, from `mlsys validate` on the measurements catalog: rows predicted, the median absolute "
         "error at the catalog's eta (uncalibrated) and after calibration cross-validated by leaving out a whole "
         "source (% of the measured value; points of peak for mfu and hfu). tests/validation/test_baseline.py "
         "fails if an error grows by more than 2 points or fewer rows are predicted; changing a value needs a "
         "CHANGELOG.md line `<metric>: catalog <x>, cv <y>, predicted <n>`.")


def baseline(table: pl.DataFrame | None = None) -> dict:
    """The baseline of ``table`` (the bundled measurements predicted; computed when None)."""
    if table is None:
        catalogs = load_catalogs()
        measured = read_measurements(None, catalogs)
        table = errors(measured.rows, predict(measured.rows, catalogs))
    _, cv = fit(table)
    crossed = {r["metric"]: r for r in cv_summary(table.join(cv, on="name", how="left")).iter_rows(named=True)}
    metrics = {}
    for r in catalog_eta_summary(table).iter_rows(named=True):
        if r["predicted"]:
            # kernel rows are never calibrated (no eta grid): their cross-validated error is the catalog's
            cv = crossed[r["metric"]]["cv"] if r["metric"] in crossed else r["median_abs_error"]
            metrics[r["metric"]] = {"predicted": r["predicted"], "catalog": round(r["median_abs_error"], 1),
                                    "cv": round(cv, 1)}
    return {"about": ABOUT, "metrics": metrics}


if __name__ == "__main__":
    data = baseline()
    print(json.dumps(data, indent=2))
    for metric, e in data["metrics"].items():
        print(f"- {metric}: catalog {e['catalog']}, cv {e['cv']}, predicted {e['predicted']}", file=sys.stderr)
