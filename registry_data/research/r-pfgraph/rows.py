"""Per-row validation errors of the serving latency rows (ttft_s, itl_s) at catalog eta, with the eager prefill host
cost as the bundled profiles state it, or without it (``--without``: every profile's
``prefill_eager_host_per_kernel_s`` null, which is the model before this change: max(launch, 0) = launch).

    .venv/bin/python registry_data/research/r-pfgraph/rows.py OUT.parquet [--without]

It runs the catalog's own ``predict`` on the bundled measurements, as ``mlsys validate`` and make_baseline do."""

from __future__ import annotations

import dataclasses
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

KEEP = ["name", "metric", "framework", "model", "hardware", "concurrency", "prompt_len", "output_len", "batch",
        "source_url", "measured", "predicted", "error_pct", "abs_error_pct"]


def main(argv: list[str]) -> None:
    catalogs = load_catalogs()
    if "--without" in argv:
        profiles = catalogs.efficiency_profiles.with_columns(
            prefill_eager_host_per_kernel_s=pl.lit(None, dtype=pl.Float64),
            prefill_host_source_url=pl.lit(None, dtype=pl.String))
        catalogs = dataclasses.replace(catalogs, efficiency_profiles=profiles)
    measured = read_measurements(None, catalogs)
    rows = measured.rows.filter(pl.col("metric").is_in(["ttft_s", "itl_s"]))
    table = errors(rows, predict(rows, catalogs))
    table.select([c for c in KEEP if c in table.columns]).write_parquet(argv[0])
    print(table.group_by("metric").agg(pl.len(), pl.col("predicted").is_not_null().sum().alias("predicted"),
                                       pl.col("abs_error_pct").median().alias("median_abs_error_pct")))


if __name__ == "__main__":
    main([a for a in sys.argv[1:]])
