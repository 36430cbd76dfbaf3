"""Walls 8 (ingestion) and 9 (transformation): the input pipeline of a training job.

The storage tier and host pipeline come from the ``storage`` and ``host_pipelines`` catalogs
by name (spec keys ``storage`` and ``data_pipeline``); the node study applies them to its
training rows, one accelerator's share of a node, the training study per node.
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.errors import UnknownNameError
from pipeline.formulas import column
from pipeline.spec import SweepSpec
from pipeline.units import UExpr, maximum, unit


def input_pipeline(catalogs: Catalogs, spec: SweepSpec, section: str = "training") -> dict[str, float | None]:
    """Walls 8 and 9's inputs from the storage and host_pipelines catalogs (null: not checked);
    names are spec keys under ``section``."""
    out = {"storage_read_bandwidth_bytes_per_s": None, "data_bytes_per_sample": None,
           "data_samples_per_s_per_core": None}
    unknown = []
    for key, table in (("storage", catalogs.storage), ("data_pipeline", catalogs.host_pipelines)):
        name = getattr(spec, key)
        if name is not None and name not in table["name"].to_list():
            unknown.append((f"{section}.{key}", name, table["name"].to_list()))
    if unknown:
        raise UnknownNameError("sweep spec", unknown)
    if spec.storage is not None:
        row = catalogs.storage.filter(pl.col("name") == spec.storage).row(0, named=True)
        out["storage_read_bandwidth_bytes_per_s"] = row["read_bandwidth_bytes_per_s"]
    if spec.data_pipeline is not None:
        row = catalogs.host_pipelines.filter(pl.col("name") == spec.data_pipeline).row(0, named=True)
        out["data_bytes_per_sample"] = row["bytes_per_sample"]
        out["data_samples_per_s_per_core"] = row["samples_per_s_per_core"]
    return out




# -- the node study's training rows: one accelerator's share of a node ----------------------------

@column
def storage_utilization(workload: pl.Expr, samples_per_s: UExpr, data_bytes_per_sample: UExpr,
                        storage_read_bandwidth_bytes_per_s: UExpr, accelerators_per_node: UExpr) -> UExpr:
    """Wall 8: rho = the samples this accelerator trains on per second x their bytes / its share
    of the node's read bandwidth (training rows; inference inputs arrive with requests)."""
    rho = (samples_per_s * data_bytes_per_sample / (storage_read_bandwidth_bytes_per_s / accelerators_per_node))
    return UExpr(pl.when(workload == "training").then(rho.to("").expr), unit(""))


@column
def host_utilization(workload: pl.Expr, samples_per_s: UExpr, data_samples_per_s_per_core: UExpr,
                     host_cores_per_node: UExpr, accelerators_per_node: UExpr) -> UExpr:
    """Wall 9: rho = CPU cores the samples need / this accelerator's share of the node's cores."""
    rho = samples_per_s / data_samples_per_s_per_core / (host_cores_per_node / accelerators_per_node)
    return UExpr(pl.when(workload == "training").then(rho.to("").expr), unit(""))


@column
def input_utilization(storage_utilization: UExpr, host_utilization: UExpr) -> UExpr:
    """The busier of the two: above 1 the accelerator waits for data."""
    return maximum(storage_utilization, host_utilization)
