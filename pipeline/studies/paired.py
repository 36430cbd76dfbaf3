"""A space's join of its two sides under its pair rules (``sides.Space.row_filter``).

The pair rules read a few columns of each side (the hardware row's scale-up domain, cluster and links; the
model row's layout: tp, pp, ep ...). Filtering the joined rows evaluated them on every pair of rows (the
serving bench spec: 6.26 M joined rows for 3.24 M kept, ~0.3 of 2.6 CPU s); ``paired`` evaluates them once per
hardware row x layout (the distinct values of the model-side columns they read, numbered), then joins each
model row to the hardware rows that allow its layout, on that number: the same rows in the same order (model
side major, then hardware side), the rejected pairs never made.
"""

from __future__ import annotations

import polars as pl

LAYOUT = "__layout"


def paired(hw: pl.DataFrame, model: pl.DataFrame, row_filter: pl.Expr | None) -> pl.LazyFrame:
    """The rows of ``hw`` x ``model`` of one workload that ``row_filter`` keeps (None: all), model side major."""
    joined = hw.lazy().join(model.lazy(), on="workload", how="inner", maintain_order="right_left")
    if row_filter is None:
        return joined
    if set(hw.columns) & set(model.columns) - {"workload"}:  # a column on both sides: the plain join's suffixes
        return joined.filter(row_filter)
    names = set(row_filter.meta.root_names())
    keys = ["workload", *(c for c in model.columns if c in names and c != "workload")]
    layouts, ids = _layouts(model, keys)
    allowed = hw.lazy().join(layouts.lazy(), on="workload", how="inner", maintain_order="left_right").filter(
        row_filter).select(pl.col([*hw.columns, LAYOUT]))
    # each model row has one layout: the hardware rows that allow it, in their order (the names as one expression, not
    # one each: a select of 190 names 0.21 -> 0.02 ms of Python; the serving bench selects twice per accelerator)
    return allowed.join(model.lazy().with_columns(ids), on=LAYOUT, how="inner", maintain_order="right_left").select(
        pl.col([*hw.columns, *(c for c in model.columns if c != "workload")]))


_LAST: list = []  # the last model side's layouts: (model side, keys, layouts, each row's layout)


def _layouts(model: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct ``keys`` of ``model`` numbered (row i is layout i) and each row's, once while the same model side
    asks (the writer's chunks join it once per accelerator: 63 numberings of the serving bench's 50,904 rows)."""
    if not _LAST or _LAST[0][0] is not model or _LAST[0][1] != keys:
        rows = model.select(keys)
        layouts = rows.unique(maintain_order=True).with_row_index(LAYOUT)
        _LAST[:] = [(model, keys, layouts, rows.join(layouts, on=keys, how="left", nulls_equal=True,
                                                     maintain_order="left")[LAYOUT])]
    return _LAST[0][2], _LAST[0][3]
