"""MLPerf Training v5.1 (closed) rows for the measurements catalog: data no model term was tuned on.

Reads ``parsed.csv`` (collect.py's output: one row per submitted system x benchmark, the figure derived from the
result log as r-mlperf/scripts/mlperf_training.py derived the v5.0 rows, the layout and precision with the config
file and line that state them) and appends the rows the rule in README.md selects:

1. the precision is stated by the submitter's config (FP8=True / FP4=True), so no row carries an assumed precision;
2. not a log republished from an earlier round: no earlier row of the catalog has the same model, accelerator,
   devices, metric and value (combine.py's rule; Nebius's v5.1 H200 405B logs are its v5.0 logs);
3. one row per (model, accelerator, devices, metric, global batch), the accelerator vendor's own submission
   (NVIDIA, AMD) first, then the other submitters in name order (combine.py's rule for the earlier rounds);
4. at most CAP rows, vendors first.

Training rows need a cluster: the smallest catalogued cluster of the accelerator that holds the run, as a stand-in
(combine.py's rule), or none. Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-t51/add_rows.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
VERIFIED = datetime.date(2026, 12, 6)
CAP = 60
KEY = ["model", "hardware", "devices", "metric", "batch"]
REPUBLISHED = ["model", "hardware", "devices", "metric", "value"]
STANDIN = (" Cluster is a stand-in: the smallest catalogued cluster of this accelerator that holds {} devices;"
           " the system that produced the number is not in the clusters catalog.")


def selected(parsed: pl.DataFrame, measurements: pl.DataFrame) -> pl.DataFrame:
    """The rule above, as polars expressions (no hand-picked rows)."""
    earlier = measurements.filter(~pl.col("source_url").str.contains("training_results_v5.1/", literal=True))
    stated = (parsed.filter(pl.col("compute_dtype").is_not_null())
              .join(earlier.select(REPUBLISHED), on=REPUBLISHED, how="anti", nulls_equal=True))
    ordered = stated.sort(["vendor", "org", "system", "benchmark"], descending=[True, False, False, False])
    return ordered.unique(subset=KEY, keep="first", maintain_order=True).head(CAP)


def with_clusters(rows: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    sizes = clusters.select(cluster="name", hardware="accelerator",
                            total=pl.col("accelerators_per_node") * pl.col("nodes"))
    fits = (rows.select("name", "hardware", "devices").join(sizes, on="hardware")
            .filter(pl.col("total") >= pl.col("devices")).sort(["total", "cluster"])
            .unique(subset="name", keep="first").select("name", "cluster"))
    return rows.join(fits, on="name", how="left").with_columns(
        notes=pl.when(pl.col("cluster").is_not_null())
        .then(pl.col("notes") + pl.format(STANDIN, pl.col("devices")))
        .otherwise(pl.col("notes") + " No catalogued cluster of this accelerator holds the run."))


def new_rows(parsed: pl.DataFrame, measurements: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    rows = with_clusters(selected(parsed, measurements), clusters)
    return rows.with_columns(
        source_quality=pl.lit("primary"), last_verified=pl.lit(VERIFIED), scenario=pl.lit("training"),
        notes=pl.col("notes") + pl.when(pl.col("dtype_source").is_not_null())
        .then(pl.format(" Precision {}: {}.", "compute_dtype", "dtype_source")).otherwise(pl.lit("")),
    ).drop("org", "system", "benchmark", "vendor", "dtype_source")


def apply(registry: Path = REGISTRY) -> int:
    """Append the selected rows the catalog under ``registry`` lacks; the number appended."""
    measurements = read_catalog("measurements", registry)
    parsed = pl.read_csv(HERE / "parsed.csv", infer_schema_length=None)
    rows = new_rows(parsed, measurements, read_catalog("clusters", registry))
    added = rows.filter(~pl.col("name").is_in(measurements["name"].implode()))
    print(f"{rows.height} rows selected, {added.height} new")
    if added.height:
        merged = pl.concat([measurements, added], how="diagonal_relaxed").select(measurements.columns)
        print(write_catalog(merged.cast(measurements.schema), "measurements", registry))
    return added.height


if __name__ == "__main__":
    apply()
