"""How often the measurement lies inside the predicted band (predicted_low..predicted_high) and how often the point lies
outside its own band, for two `python -m pipeline validate --out DIR` outputs (run by hand:
`.venv/bin/python registry_data/research/r-srvq/band_coverage.py BEFORE_DIR AFTER_DIR`; r-srvq/README.md).
`range_error_pct` scores the point against the *measured* range (0 inside a published range); the predicted band
is shown in the report and scored by nothing, so this counts it."""

from __future__ import annotations

import sys

import polars as pl

MLPERF = pl.col("source_url").str.contains("inference_results")
SELECTIONS = {"MLPerf Server itl_s": MLPERF & (pl.col("metric") == "itl_s"),
              "MLPerf Server ttft_s": MLPERF & (pl.col("metric") == "ttft_s"),
              "all itl_s and ttft_s": pl.col("metric").is_in(["itl_s", "ttft_s"]),
              "all rows": pl.lit(True)}


def coverage(table: pl.DataFrame, selection: pl.Expr) -> dict:
    rows = table.filter(selection & pl.col("predicted").is_not_null())
    inside = (pl.col("measured") >= pl.col("predicted_low")) & (pl.col("measured") <= pl.col("predicted_high"))
    outside = (pl.col("predicted") < pl.col("predicted_low")) | (pl.col("predicted") > pl.col("predicted_high"))
    return rows.select(pl.len().alias("rows"), inside.sum().alias("measured_inside_band"),
                       pl.col("predicted_high").is_infinite().sum().alias("unbounded_top"),
                       outside.sum().alias("point_outside_band"),
                       pl.col("error_pct").median().round(1).alias("median_error_pct")).row(0, named=True)


if __name__ == "__main__":
    tables = [pl.read_parquet(f"{d}/validation/*/validation.parquet") for d in sys.argv[1:3]]
    for name, selection in SELECTIONS.items():
        print(name, " -> ".join(str(coverage(t, selection)) for t in tables))
