"""A chunk's hardware rows that a plan cannot tell apart, computed once (issue 15).

A sweep's chunk joins each model row to the hardware rows of a few accelerators (each one's fp16, bf16 and fp8 rows).
Rows equal on every hardware column the plan reads (fp16 and bf16 of most accelerators: the same peaks,
efficiencies and per-key classes; the serving bench spec's 123 hardware rows are 87 runs of such rows) give the same
value in every computed column. ``runs`` keeps the first row of each run of such *adjacent* rows; the plan runs on
them, and ``expanded`` repeats each of its output rows once per row of its run (``explode``), the columns it does not
read (the dtypes' names) taken from each row. Adjacent rows only, so the join's order (model side major, then the
hardware rows in their order) is kept: the same rows, in the same order, with the same values.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

FIRST, ROWS, ROW = "__run_first", "__run_rows", "__run_row"  # a run's first row and its rows; a row of the run
IDX = pl.get_index_type()


def runs(hw: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame | None:
    """The first row of each run of adjacent rows of ``hw`` equal on ``keys`` (polars' equality: NULL equals NULL),
    with the run's first row number (``FIRST``) and rows (``ROWS``); None where no run holds two rows."""
    if hw.height < 2:
        return None
    # the keys as one struct against the row before (``ne_missing``: a field differs, NULL equal to NULL, as per key;
    # one expression, not one a key: serving's 82 keys 4.4-4.9 -> 0.9-1.1 ms a chunk)
    changed = pl.struct(keys).ne_missing(pl.struct(keys).shift(1)) if keys else pl.lit(False)
    starts = hw.select(changed.fill_null(True)).to_series().scatter(0, True)
    first = pl.int_range(hw.height, dtype=IDX, eager=True).filter(starts)
    if first.len() == hw.height:
        return None
    rows = pl.concat([first.slice(1), pl.Series([hw.height], dtype=IDX)]) - first
    return hw.filter(starts).with_columns(first.alias(FIRST), rows.alias(ROWS))


def expanded(frame: pl.LazyFrame, hw: pl.DataFrame, labels: Sequence[str]) -> pl.LazyFrame:
    """``frame`` (rows of ``runs``' first rows, each with its ``FIRST`` and ``ROWS``) with each row repeated once per
    row of its run, in order, and the columns ``labels`` taken from that row of ``hw``."""
    rows = pl.int_ranges(FIRST, pl.col(FIRST) + pl.col(ROWS), dtype=IDX)
    frame = frame.with_columns(rows.alias(ROW)).explode(ROW)
    return frame.with_columns(pl.lit(hw[c]).gather(pl.col(ROW)).alias(c) for c in labels)
