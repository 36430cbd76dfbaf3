"""A space's rows as gathers by row number (issue 15): the streamed sweeps' source (training's and serving's).

``Space.frame`` makes the rows its pair rules keep by two hash joins (``paired``: hardware rows x layouts, then the
model rows on their layout's number), lazily. A streamed sweep's source (``runs.streamed``) collected them a cut of
65,536 rows at a time inside the engine's Python callback; for the training bench spec's 6.7 M rows and the 67
columns its plan reads that was 2.2-2.8 CPU s, and on the 10 M-row serving bench 14.0 s of the sweep's wall time.
``gathered`` checks the pair rules on the product of the columns they read only, with each side's row numbers, once a
piece and hardware group (``pair_numbers``), and takes the asked columns of each side by the kept pairs' numbers,
eagerly (one take a side a cut): 1.5-1.7 CPU s for training's cuts, then with the rules checked once a cut; a hardware
column with one value on the group's rows (``one_valued``: the accelerator's figures, a piece holding one
accelerator's clusters) is that value repeated, not taken. The same rows in the same order (model side major, then
hardware side) and the same values (a take copies them, a repeat keeps the same bits).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import polars as pl

HW, MODEL = "__hardware_row_number", "__model_row_number"


def one_valued(frame: pl.DataFrame) -> list[str]:
    """The columns of ``frame`` whose rows all hold the first row's bits (NULL equals NULL; a NaN, or 0.0 beside
    -0.0, is never one value): given as that value, not taken row by row."""
    values = frame.to_dict(as_series=False)
    return [c for c, v in values.items() if v and all(_same(x, v[0]) for x in v)]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)  # NaN != NaN
    return a == b and type(a) is type(b)


def gathered(hw: pl.DataFrame, model: pl.DataFrame, row_filter: pl.Expr | None, columns: Sequence[str],
             rows: int) -> Iterator[pl.DataFrame]:
    """``Space(hw, model, row_filter=row_filter).frame(hw).select(columns)`` in cuts of ``rows`` rows, eagerly (no
    column on both sides: ``Space.frame``'s join would suffix it): the pairs' numbers (``pair_numbers``) and the
    hardware columns of one value (``one_valued``) found once, each cut its rows taken by number, a one-valued column
    that value repeated."""
    pairs = pair_numbers(hw, model, row_filter)
    asked = [c for c in columns if c in hw.columns]
    same = set(one_valued(hw.select(asked)))
    # per cut no select or with_columns (each plans a query: ~1 ms a cut), a take per side and a frame of columns
    sides = [(side.select(c for c in names if c not in same), numbers) for side, names, numbers in
             ((hw, asked, HW), (model, [c for c in columns if c not in hw.columns], MODEL))]
    for start in range(0, pairs.height, rows):
        cut = pairs.slice(start, rows)
        got = {c: hw.get_column(c).new_from_index(0, cut.height) for c in same}
        for side, numbers in sides:
            got |= side[cut[numbers]].to_dict() if side.width else {}
        yield pl.DataFrame([got[c] for c in columns])


def pair_numbers(hw: pl.DataFrame, model: pl.DataFrame, row_filter: pl.Expr | None) -> pl.DataFrame:
    """The row numbers (``HW``, ``MODEL``) of the pairs of one workload that ``row_filter`` keeps (None: all), model
    side major, as ``paired.paired`` joins them."""
    names = set() if row_filter is None else set(row_filter.meta.root_names())
    left = model.select("workload", *(c for c in model.columns if c in names and c != "workload")).with_row_index(MODEL)
    right = hw.select(pl.col("workload").alias("__workload"),
                      *(c for c in hw.columns if c in names and c != "workload")).with_row_index(HW)
    pairs = left.lazy().join(right.lazy(), how="cross", maintain_order="left_right").filter(
        pl.col("workload") == pl.col("__workload"))
    return (pairs if row_filter is None else pairs.filter(row_filter)).select(HW, MODEL).collect()
