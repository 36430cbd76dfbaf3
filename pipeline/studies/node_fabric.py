"""The node study's data-parallel fabric (walls/node_data_parallel): the scale-out figures of the cluster a spec's
[data] cluster names, joined onto its accelerator's hardware rows."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.studies import sides

# The named cluster's figures the gradient all-reduce reads (walls/node_data_parallel), on its accelerator's rows
CLUSTER_FABRIC = {"scaleup_domain_size": "cluster_scaleup_domain_size",
                  "accelerators_per_node": "cluster_accelerators_per_node", "nics_per_node": "nics_per_node",
                  "nic_bandwidth_bits_per_s": "nic_bandwidth_bits_per_s", "scaleout_latency_s": "scaleout_latency_s",
                  "oversubscription_ratio": "oversubscription_ratio"}


def cluster_fabric(frame: pl.DataFrame, catalogs: Catalogs, cluster: str | None) -> tuple[pl.DataFrame, dict]:
    """``frame`` with the fabric of ``cluster`` (spec [data] cluster) on the rows of its accelerator, NULL on the
    others and without a cluster (the all-reduce then stays within the accelerator's scale-up domain)."""
    if cluster is not None:
        sides.check_catalog_names("data.cluster", [cluster], catalogs.clusters)
    units = sides.catalog_units("clusters", list(CLUSTER_FABRIC))
    fabric = catalogs.clusters.filter(pl.col("name") == (cluster or "")).select(
        pl.col("accelerator").alias("hardware"),
        *(pl.col(c).cast(pl.Float64).alias(a) for c, a in CLUSTER_FABRIC.items()))
    frame = frame.drop(*(a for a in CLUSTER_FABRIC.values() if a in frame.columns))
    frame = frame.join(fabric.with_columns(pl.col("hardware").cast(frame.schema["hardware"])), on="hardware",
                       how="left", maintain_order="left")
    return frame, {a: units[c] for c, a in CLUSTER_FABRIC.items()}
