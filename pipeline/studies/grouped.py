"""A space's join with the rows of each accelerator together (``sides.Space.grouped_by``): what the
run writer slices into one Parquet part per accelerator (``pipeline.runs.partitions``)."""

from __future__ import annotations

import polars as pl


def grouped_join(hw: pl.DataFrame, model: pl.DataFrame, key: str) -> pl.LazyFrame:
    """The rows of ``Space.frame``'s join with each value of the hardware side's ``key`` together,
    in the order of its first row: that value's rows in the join's own order (model side, then
    hardware side), then the next value's. So a writer cuts one Parquet part per accelerator out of
    a chunk by slicing, not by gathering every column (what ``frame.filter(key == value)`` holds)."""
    # one join, then its rows stably ordered by their value's first hardware row: the same rows in
    # the same order as a join per value concatenated, in one plan (a concatenation of a join per
    # value took the study's formulas into each part, one plan per accelerator: ~5x the time)
    first = hw.with_row_index("_row").select(pl.col("_row").min().over(pl.col(key).to_physical()).alias(GROUP))
    joined = hw.with_columns(first).lazy().join(model.lazy(), on="workload", how="inner", maintain_order="right_left")
    return joined.sort(GROUP, maintain_order=True).drop(GROUP)


GROUP = "_first_row_of_group"
