"""A space's join with the rows of each accelerator together (``sides.Space.grouped_by``): what the
run writer slices into one Parquet part per accelerator (``pipeline.runs.partitions``)."""

from __future__ import annotations

import polars as pl

from pipeline.studies.paired import paired

# Joined rows per accelerator from which a join per accelerator, concatenated, beats one join sorted by
# accelerator. Each concatenated part runs the study's whole plan once (its planning, ~0.1-0.3 s for a
# serving plan under a request rate: a 944-row plan 19.1 -> 2.8 s sorted, CHANGELOG "CI time"), while the
# sort holds the chunk's whole join, every column, twice: a 3.2 M-row node sweep (`mlsys bench --rows
# 3000000`, ~55 k rows per accelerator) took 13.4 CPU s and 1,513 MB sorted, 8.4 CPU s and 743 MB
# concatenated.
PART_ROWS = 10_000


def grouped_join(hw: pl.DataFrame, model: pl.DataFrame, key: str, row_filter: pl.Expr | None = None) -> pl.LazyFrame:
    """The rows of ``Space.frame``'s join with each value of the hardware side's ``key`` together,
    in the order of its first row: that value's rows in the join's own order (model side, then
    hardware side), then the next value's. So a writer cuts one Parquet part per accelerator out of
    a chunk by slicing, not by gathering every column (what ``frame.filter(key == value)`` holds).
    ``row_filter``: the pair rules; a value's join evaluates them once per hardware row x layout (``paired``)
    where its parts are large: the serving bench's writer plan joined ~70 columns of every pair of rows, then
    dropped 40 % of them (its 7 chunks' collects 1.73-2.11 -> 1.61-1.84 CPU s, 4 rounds; CHANGELOG srvspeed)."""
    if hw.height == 0:
        return _filtered(paired(hw, model, None), row_filter)
    groups = hw.with_row_index(ROW).group_by(pl.col(key).to_physical(), maintain_order=True).agg(ROW)[ROW]
    if joined_rows(hw, model).sum() >= PART_ROWS * groups.len():  # large parts: a join per value, concatenated
        return pl.concat([paired(_rows(hw, rows_of), model, row_filter) for rows_of in groups.to_list()],
                         how="vertical", rechunk=False)
    # small parts: one join, its rows stably ordered by their value's first hardware row (the same rows
    # in the same order as the concatenation, in one plan), filtered after
    first = hw.with_row_index(ROW).select(pl.col(ROW).min().over(pl.col(key).to_physical()).alias(GROUP))
    return _filtered(paired(hw.with_columns(first), model, None).sort(GROUP, maintain_order=True).drop(GROUP),
                     row_filter)


def _rows(hw: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    """The rows ``rows`` of ``hw``, in order: a slice where they are consecutive (a writer's side is sorted by its
    key), which copies nothing (a gather on polars' thread pool waits behind the writer thread's encoding)."""
    if rows[-1] - rows[0] + 1 == len(rows):  # increasing (``group_by`` keeps the row order): consecutive
        return hw.slice(rows[0], len(rows))
    return hw[rows]


def _filtered(joined: pl.LazyFrame, row_filter: pl.Expr | None) -> pl.LazyFrame:
    return joined if row_filter is None else joined.filter(row_filter)


def joined_rows(hw: pl.DataFrame, model: pl.DataFrame) -> pl.Series:
    """The rows each row of ``hw`` joins on ``model`` (same ``workload``; before a study's pair rules)."""
    per_workload = model.group_by("workload").len().rename({"len": JOINED})
    return hw.join(per_workload, on="workload", how="left", maintain_order="left")[JOINED].fill_null(0)


ROW, GROUP, JOINED = "_row", "_first_row_of_group", "_joined_rows"
