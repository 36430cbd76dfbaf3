"""make_baseline and a validation table in one prediction pass (the patchset's runs on a loaded host): prints
tests.validation.make_baseline's JSON and writes OUT/validation/<id>/validation.parquet as ``mlsys validate`` does
(the errors table joined with the cross-validated errors), which registry_data/research/r-v60/errors.py reads.
Run from the root of the tree to measure, with that tree first on the path:

    PYTHONPATH=. /work/wt/patchset/.venv/bin/python registry_data/research/r-patchset/both.py OUT > baseline.json
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements
from pipeline.validation.calibrate import fit
from tests.validation.make_baseline import baseline


def main(out: str) -> None:
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    data = baseline(table)
    _, cv = fit(table)
    directory = Path(out) / "validation" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
    directory.mkdir(parents=True, exist_ok=True)
    table.join(cv, on="name", how="left").drop("grid").write_parquet(directory / "validation.parquet")
    print(json.dumps(data, indent=2))
    for metric, e in data["metrics"].items():
        print(f"- {metric}: catalog {e['catalog']}, cv {e['cv']}, predicted {e['predicted']}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
