"""make_baseline's medians of one `mlsys validate` run's validation.parquet (the same table make_baseline predicts),
per metric: catalog / cv / predicted, for two runs side by side.

    .venv/bin/python registry_data/research/r-fa2bw/medians.py BEFORE/validation.parquet AFTER/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.validation import cv_summary
from pipeline.validation.accuracy import catalog_eta_summary


def medians(path: str) -> dict:
    """make_baseline's figures (tests/validation/make_baseline.baseline) from the run's own calibrated columns."""
    table = pl.read_parquet(path)
    crossed = {r["metric"]: r for r in cv_summary(table).iter_rows(named=True)}
    return {r["metric"]: {"predicted": r["predicted"], "catalog": round(r["median_abs_error"], 1),
                          "cv": round(crossed[r["metric"]]["cv"] if r["metric"] in crossed else r["median_abs_error"],
                                      1)}
            for r in catalog_eta_summary(table).iter_rows(named=True) if r["predicted"]}


if __name__ == "__main__":
    a, b = medians(sys.argv[1]), medians(sys.argv[2])
    print("| metric | before (catalog / cv / predicted) | after |\n|---|---|---|")
    for m in sorted(a):
        x, y = a[m], b.get(m, {})
        mark = "" if x == y else " (moved)"
        print(f"| {m} | {x['catalog']} / {x['cv']} / {x['predicted']} | {y.get('catalog')} / {y.get('cv')} / "
              f"{y.get('predicted')}{mark} |")
