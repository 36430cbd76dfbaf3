"""Per-row error (% of the measured value) of the measured ZeRO-3 training rows on the tree it runs on: run it on main
and after `git apply registry_data/research/r-a100clk/zero3_prefetch.patch` (r-a100clk/README.md's table).

    .venv/bin/python registry_data/research/r-a100clk/zero3_rows.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

if __name__ == "__main__":
    catalogs = load_catalogs()
    measured = read_measurements(None, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    rows = (table.filter(pl.col("zero_stage").cast(pl.String) == "3", pl.col("predicted").is_not_null())
            .select("name", "metric", "value", "predicted",
                    error_pct=((pl.col("predicted") / pl.col("value") - 1) * 100).round(1)))
    for r in rows.iter_rows(named=True):
        print(f"{r['name']}  {r['metric']}  {r['error_pct']:+.1f} %")
    print(f"sum |error| {rows['error_pct'].abs().sum():.1f} points over {rows.height} rows")
