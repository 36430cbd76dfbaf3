"""What the leave-one-source-out figure would be if no calibration group were held at a feasibility floor (run by
hand, not a test: `.venv/bin/python -m tests.validation.floor_whatif`). Not what `mlsys calibrate` does.

A row over wall 7's capacity at an η has no prediction there, an infinite term in the calibration's loss, so a
group's fit cannot go below the lowest η that predicts every row (``calibrate.fit``'s ``eta_floor``).
``fit(table, floors=False)`` lets the rows that lose their prediction somewhere on the grid weigh nothing in any fit
and predicts a row left over capacity at the lowest η above its own that predicts it. CHANGELOG.md, "why the
leave-one-source-out figure moved (loso)"."""

from __future__ import annotations

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import cv_summary, errors, predict, read_measurements
from pipeline.validation.calibrate import fit

if __name__ == "__main__":
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    table = errors(rows, predict(rows, catalogs))
    for floors in (True, False):
        _, cv = fit(table, floors=floors)
        print(f"floors={floors}:")
        for r in cv_summary(table.join(cv, on="name", how="left")).iter_rows(named=True):
            print(f"- {r['metric']}: cv {r['cv']:.1f} ({r['rows']} rows)")
