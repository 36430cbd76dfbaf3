"""Each predicted serving row's error at catalog eta, to a parquet (run on two trees and compare with compare.py):

    .venv/bin/python registry_data/research/r-fp8attn/row_errors.py OUT.parquet
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

def main(out: str) -> None:
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    table.select("name", "metric", "model", "hardware", "compute_dtype", "framework", "scenario", "measured",
                 "predicted", "error_pct", "abs_error_pct", "bound", "batch_used").write_parquet(out)


if __name__ == "__main__":
    main(sys.argv[1])
