"""streamed.piece_rows: one plan streamed over a sweep's pieces gives each piece's rows, in order, as a plan
collected per piece would; a plan that drops rows is refused."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.runs import streamed
from pipeline.runs.partitions import collect_flags
from pipeline.studies.sides import Space


def _space() -> Space:
    hw = pl.DataFrame({"accelerator": ["a", "a", "b", "c"], "h": [1, 2, 3, 4],
                       "workload": ["training", "training", "training", "other"]})
    model = pl.DataFrame({"x": [10, 20], "workload": ["training", "training"]})
    return Space(hw, model, {}, grouped_by="accelerator")


def _plan(space: Space) -> pl.LazyFrame:
    return space.frame(space.hardware_side.head(0)).select(y=pl.col("x") + pl.col("h"))


@pytest.mark.parametrize("source_rows", [1, 3, 65_536])
def test_pieces_come_out_in_order_with_their_rows(monkeypatch, source_rows):
    """Hand-made: a piece's join keeps each accelerator's rows together, model side major (``grouped_join``),
    so hardware rows (a, 1), (a, 2) on x = 10, 20 give x + h = 11, 12, 21, 22; (b, 3) cut into the model
    side's two rows gives 13 then 23; (c, 4) joins nothing (another workload), and neither does a piece with an
    empty model slice. ``source_rows`` cuts the source's frames inside a piece (1: a row at a time)."""
    monkeypatch.setattr(streamed, "SOURCE_ROWS", source_rows)
    space = _space()
    hw, model = space.hardware_side, space.model_side
    pieces = [(hw.slice(0, 2), model), (hw.slice(3, 1), model), (hw.slice(2, 1), model.slice(0, 1)),
              (hw.slice(2, 1), model.slice(1, 1)), (hw.slice(2, 1), model.slice(2, 0)), (hw.slice(3, 1), model)]
    out = [rows["y"].to_list() for rows in streamed.piece_rows(space, iter(pieces), _plan, pl.QueryOptFlags())]
    assert out == [[11, 12, 21, 22], [], [13], [23], [], []]


def test_a_plan_that_drops_rows_is_refused():
    space = _space()
    with pytest.raises(RuntimeError, match="did not keep the pieces' rows"):
        list(streamed.piece_rows(space, iter([(space.hardware_side.slice(0, 2), space.model_side)]),
                                 lambda s: _plan(s).filter(pl.col("y") > 15), collect_flags(None)))


def test_gathered_cuts_are_the_pairs_the_rules_keep_in_order():
    """Hand-made: hardware rows (a, d=2), (b, d=4) of one accelerator family (``one``: a single value, repeated not
    taken), model rows tp = 1, 4, 2; the rule keeps tp <= d: tp 1 with a and b, tp 4 with b, tp 2 with a and b, model
    side major, in cuts of 2 rows; the columns in the order asked."""
    hw = pl.DataFrame({"name": ["a", "b"], "d": [2, 4], "one": ["x", "x"], "workload": ["w", "w"]})
    model = pl.DataFrame({"tp": [1, 4, 2], "workload": ["w", "w", "w"]})
    cuts = list(streamed.gathered(hw, model, pl.col("tp") <= pl.col("d"), ["tp", "one", "name"], 2))
    assert [c.height for c in cuts] == [2, 2, 1]
    rows = pl.concat(cuts)
    assert rows.columns == ["tp", "one", "name"]
    assert rows.rows() == [(1, "x", "a"), (1, "x", "b"), (4, "x", "b"), (2, "x", "a"), (2, "x", "b")]
