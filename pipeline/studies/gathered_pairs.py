"""A space's rows as gathers by row number (issue 15): the training sweep's streamed source.

``Space.frame`` makes the rows its pair rules keep by two hash joins (``paired``: hardware rows x layouts, then the
model rows on their layout's number), lazily. A streamed sweep's source (``runs.streamed``) collects them a cut of
65,536 rows at a time inside the engine's Python callback; for the training bench spec's 6.7 M rows and the 67
columns its plan reads that was 2.2-2.8 CPU s. ``GatheredSpace.gathered_frame`` checks the pair rules on the product
of the columns they read only, with each side's row numbers, and takes the asked columns of each side by the kept
pairs' numbers, eagerly (one take a side): 1.5-1.7 CPU s; a hardware column with one value on the cut's hardware
rows (``one_valued``: the accelerator's figures, a piece holding one accelerator's clusters) is that value broadcast,
not taken. The same rows in the same order (model side major, then hardware side) and the same values (a take copies
them, a broadcast repeats the same bits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from pipeline.studies.sides import Space

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


@dataclass
class GatheredSpace(Space):
    """A ``Space`` whose rows a streamed source takes by ``gathered_frame`` (``Space.frame`` otherwise)."""

    def gathered_frame(self, hardware_side: pl.DataFrame, columns: Sequence[str] | None) -> pl.LazyFrame:
        """``self.frame(hardware_side).select(columns)`` (None: every column), taken eagerly; ``Space.frame`` where it
        keeps an accelerator's rows together or a column is on both sides (its join's suffixes)."""
        hw, model = hardware_side, self.model_side
        if columns is None or self.grouped_by is not None or set(hw.columns) & set(model.columns) - {"workload"}:
            frame = self.frame(hardware_side)
            return frame if columns is None else frame.select(columns)
        pairs = pair_numbers(hw, model, self.row_filter)
        # a hardware column with one value on the piece's rows (an accelerator's: its peak, memory, η...) is given as
        # that value, not taken per row (training's bench: -0.2 CPU s of the streamed plan's ~3.6); one is taken
        asked = [c for c in columns if c in hw.columns]
        same = set(one_valued(hw.select(asked)))
        same -= set(asked[:1]) if same >= set(asked) else set()  # a column taken: the frame's height
        # taken now, not in a plan: the same take collected by polars inside the source's callback cost ~2x
        return pl.concat([hw.select(c for c in asked if c not in same)[pairs[HW]],
                          model.select(c for c in columns if c not in hw.columns)[pairs[MODEL]]],
                         how="horizontal").with_columns(pl.lit(hw.get_column(c).head(1)).first() for c in asked
                                                        if c in same).select(columns).lazy()


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
