"""Give the node study's training rows without a cluster the stand-in cluster every other MLPerf training row has:
the smallest catalogued cluster of the row's accelerator that holds its devices, with the same note
(registry_data/research/r-mlperf/scripts/combine.py, then r-lora/standin_clusters.py for the training study's
metrics). The H200 BERT-Large and ResNet-50 samples_per_s rows were written before the clusters catalog had an H200
cluster, and r-lora's pass covered the training study's metrics only, so they kept none: the node study then prices
no gradient all-reduce beyond the 8-GPU NVLink domain (walls/node_data_parallel, "not counted"). Rows whose
accelerator has no catalogued cluster holding their devices (H100 PCIe) are left alone, and so is a row that already
names a cluster or carries the note: replaying the script changes nothing.

    .venv/bin/python registry_data/research/r-accbertrain/standin_clusters.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

NOTE = (" Cluster is a stand-in: the smallest catalogued cluster of this accelerator that holds {devices} devices;"
        " the system that produced the number is not in the clusters catalog.")


def with_standins(measurements: pl.DataFrame, clusters: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """``measurements`` with a stand-in cluster on each node-study training row (samples_per_s) that lacks one."""
    sizes = clusters.select("name", "accelerator", size=pl.col("nodes") * pl.col("accelerators_per_node"))
    names, notes, changed = [], [], []
    for name, hardware, devices, notes_ in measurements.filter(
            pl.col("scenario") == "training", pl.col("metric") == "samples_per_s", pl.col("cluster").is_null(),
            pl.col("devices") > 1, ~pl.col("notes").str.contains("Cluster is a stand-in", literal=True)).select(
            "name", "hardware", "devices", "notes").iter_rows():
        fits = sizes.filter(pl.col("accelerator") == hardware, pl.col("size") >= devices).sort("size", "name")
        if fits.height:
            names.append(name)
            notes.append(fits["name"][0])
            changed.append((name, fits["name"][0]))
    table = pl.DataFrame({"name": names, "_cluster": notes}, schema={"name": pl.String, "_cluster": pl.String})
    out = measurements.join(table, on="name", how="left", maintain_order="left")
    hit = pl.col("_cluster").is_not_null()
    out = out.with_columns(
        pl.when(hit).then(pl.col("_cluster")).otherwise(pl.col("cluster")).alias("cluster"),
        pl.when(hit).then(pl.col("notes") + pl.format(NOTE.replace("{devices}", "{}"), pl.col("devices")))
        .otherwise(pl.col("notes")).alias("notes")).drop("_cluster")
    return out, changed


def main(argv: list[str]) -> None:
    registry = Path(argv[0]) if argv else bundled_registry()
    out, changed = with_standins(pl.read_parquet(registry / "measurements.parquet"),
                                 pl.read_parquet(registry / "clusters.parquet"))
    for name, cluster in changed:
        print(f"{name}: {cluster}", file=sys.stderr)
    print(f"{len(changed)} rows given a stand-in cluster", file=sys.stderr)
    schema = CATALOGS["measurements"].to_schema().columns
    print(write_catalog(out.select(list(schema)), "measurements", registry))


if __name__ == "__main__":
    main(sys.argv[1:])
