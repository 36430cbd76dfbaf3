"""A space's join with the rows of each accelerator together (``sides.Space.grouped_by``): what the
run writer slices into one Parquet part per accelerator (``pipeline.runs.partitions``)."""

from __future__ import annotations

import polars as pl


def grouped_join(hw: pl.DataFrame, model: pl.DataFrame, key: str) -> pl.LazyFrame:
    """The rows of ``Space.frame``'s join with each value of the hardware side's ``key`` together,
    in the order of its first row: that value's rows in the join's own order (model side, then
    hardware side), then the next value's. So a writer cuts one Parquet part per accelerator out of
    a chunk by slicing, not by gathering every column (what ``frame.filter(key == value)`` holds)."""
    if hw.height == 0:
        return hw.lazy().join(model.lazy(), on="workload", how="inner", maintain_order="right_left")
    groups = hw.with_row_index("_row").group_by(pl.col(key).to_physical(), maintain_order=True).agg("_row")
    parts = [hw[rows].lazy().join(model.lazy(), on="workload", how="inner", maintain_order="right_left")
             for rows in groups["_row"].to_list()]
    return pl.concat(parts, how="vertical", rechunk=False)
