"""Per-row predictions and errors of the bundled measurements on this tree, for a before/after diff
(`.venv/bin/python registry_data/research/r-lenbias/rows.py OUT.parquet`; then diff.py BEFORE AFTER)."""

from __future__ import annotations

import sys

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

if __name__ == "__main__":
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    errors(measured.rows, predict(measured.rows, catalogs)).write_parquet(sys.argv[1])
