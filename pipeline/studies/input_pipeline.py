"""The inputs of walls 8 and 9 (``pipeline.walls.data``) read from the ``storage`` and
``host_pipelines`` catalogs by name (spec keys ``storage`` and ``data_pipeline``)."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.load import Catalogs
from pipeline.errors import UnknownNameError
from pipeline.spec import SweepSpec


def input_pipeline(catalogs: Catalogs, spec: SweepSpec, section: str = "training") -> dict[str, float | None]:
    """Walls 8 and 9's inputs from the storage and host_pipelines catalogs (null: not checked);
    names are spec keys under ``section``."""
    out = {"storage_read_bandwidth_bytes_per_s": None, "data_bytes_per_sample": None,
           "data_samples_per_s_per_core": None}
    unknown = []
    for key, table in (("storage", catalogs.storage), ("data_pipeline", catalogs.host_pipelines)):
        name = getattr(spec.data, key)
        if name is not None and name not in table["name"].to_list():
            unknown.append((f"{section}.{key}", name, table["name"].to_list()))
    if unknown:
        raise UnknownNameError("sweep spec", unknown)
    if spec.data.storage is not None:
        row = catalogs.storage.filter(pl.col("name") == spec.data.storage).row(0, named=True)
        out["storage_read_bandwidth_bytes_per_s"] = row["read_bandwidth_bytes_per_s"]
    if spec.data.data_pipeline is not None:
        row = catalogs.host_pipelines.filter(pl.col("name") == spec.data.data_pipeline).row(0, named=True)
        out["data_bytes_per_sample"] = row["bytes_per_sample"]
        out["data_samples_per_s_per_core"] = row["samples_per_s_per_core"]
    return out




def null_outputs(hardware_side: pl.DataFrame) -> list[str]:
    """Walls 8 and 9's output columns that are NULL on every row because the spec names no storage
    or no host pipeline (their inputs on the hardware side are NULL, and the formulas of
    ``pipeline.walls.data`` propagate a NULL input): the narrow fact table leaves them out."""
    def unknown(column: str) -> bool:
        return column not in hardware_side.columns or hardware_side[column].null_count() == hardware_side.height

    storage = unknown("storage_read_bandwidth_bytes_per_s") or unknown("data_bytes_per_sample")
    host = unknown("data_samples_per_s_per_core")
    return ([c for c, off in (("storage_utilization", storage), ("host_utilization", host),
                               ("input_utilization", storage and host)) if off]
            + (["data_bytes_per_s_per_node"] if unknown("data_bytes_per_sample") else []))
