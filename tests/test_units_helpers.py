"""The named helpers at the end of pipeline/units.py (issue 11 item 3), by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline.units import DimensionalityError, col, lit, only_where, total, unit

FRAME = pl.DataFrame({"t": [4.0, None, 9.0], "n": [8.0, 1.0, 0.5], "ok": [True, True, False]})
T, N = col("t", "s"), col("n", "")


def values(x, target=None) -> list:
    expr = x.expr if target is None else x.magnitude(target)
    return FRAME.select(expr.alias("v"))["v"].to_list()


def test_log_and_exp_need_a_dimensionless_argument():
    assert values(N.log(2)) == pytest.approx([3.0, 0.0, -1.0])
    assert values(N.log().exp()) == pytest.approx([8.0, 1.0, 0.5])
    with pytest.raises(DimensionalityError):
        T.log()
    with pytest.raises(DimensionalityError):
        N.power(T)


def test_sqrt_takes_the_root_of_the_unit():
    root = (T * T).sqrt()
    assert root.unit == unit("s") and values(root, "s") == [4.0, None, 9.0]


def test_clip_converts_its_bounds_to_the_unit():
    """1 min = 60 s: 4 s and 9 s clipped to [5 s, 1 min] are 5 s and 9 s."""
    assert values(T.clip(lit(5.0, "s"), lit(1.0, "min")), "s") == [5.0, None, 9.0]
    with pytest.raises(DimensionalityError):
        T.clip(lit(1.0, "B"))


def test_floor_ceil_power_abs():
    assert values((N * 1.5).floor()) == [12.0, 1.0, 0.0]
    assert values((N * 1.5).ceil()) == [12.0, 2.0, 1.0]
    assert values(N.power(N)) == pytest.approx([8.0**8, 1.0, math.sqrt(0.5)])
    assert values((-N).abs()) == [8.0, 1.0, 0.5]


def test_only_where_and_total():
    assert values(only_where(pl.col("ok"), T), "s") == [4.0, None, None]
    assert values(total(T, lit(1.0, "min"), T), "s") == [68.0, None, 78.0]  # a null part makes the sum null
    with pytest.raises(DimensionalityError):
        total(T, N)
