"""Every measurement row of a mixture-of-experts model, predicted at the catalog's eta (what `mlsys validate`
computes): model, hardware, metric, measured, predicted, error %. Run from the repository root:
.venv/bin/python registry_data/research/r-dsr1/moe_rows.py > out.csv"""

from __future__ import annotations

import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements


def main() -> None:
    catalogs = load_catalogs()
    moe = catalogs.models.filter(pl.col("n_experts").is_not_null()).get_column("name")
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    keep = [c for c in ("name", "model", "hardware", "compute_dtype", "framework", "metric", "batch", "tp", "ep",
                        "prompt_len", "output_len", "measured", "predicted", "error_pct") if c in table.columns]
    out = table.filter(pl.col("model").is_in(moe.implode())).select(keep).sort("model", "hardware", "metric")
    out.write_csv(sys.stdout)


if __name__ == "__main__":
    main()
