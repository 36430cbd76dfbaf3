"""The scalar backend computes what polars computes, null and NaN included.

Every operation the formulas use is built once with polars and once with ``pipeline.scalar``
from the same builder, on hand-picked values (null, NaN, infinities, signed zeros, ordinary
numbers), and the results must be identical: the same nulls, the same NaNs, the same floats
bit for bit (the sign of zero included). A few properties are also stated by hand.
"""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest

from pipeline import scalar

NAN, INF = math.nan, math.inf
NUMBERS = [None, NAN, INF, -INF, 0.0, -0.0, 0.5, 1.5, -2.0, 3.0, 1e300]
PAIRS = pl.DataFrame([*itertools.product(NUMBERS, NUMBERS)], schema={"a": pl.Float64, "b": pl.Float64},
                     orient="row")
FLAGS = pl.DataFrame([*itertools.product([None, True, False], [None, True, False])],
                     schema={"p": pl.Boolean, "q": pl.Boolean}, orient="row")
WORDS = pl.DataFrame({"s": [None, "", "compute", "memory"], "t": ["x", None, None, "y"]})


def same(x, y) -> bool:
    """Identical values: both null, both NaN, or equal with the same sign (0.0 vs -0.0)."""
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)
    return x == y and type(x) is type(y)


def check(frame: pl.DataFrame, build) -> None:
    """``build(pl)`` on ``frame`` equals ``build(scalar)`` row by row."""
    expected = frame.select(build(pl).alias("out"))["out"].to_list()
    function = scalar.compile_function({"out": build(scalar)})
    got = [function(row)["out"] for row in frame.iter_rows(named=True)]
    wrong = [(row, g, e) for row, g, e in zip(frame.iter_rows(named=True), got, expected, strict=True)
             if not same(g, e)]
    assert not wrong, wrong[:5]


NUMERIC = {
    "add": lambda m: m.col("a") + m.col("b"),
    "sub": lambda m: m.col("a") - m.col("b"),
    "mul": lambda m: m.col("a") * m.col("b"),
    "truediv": lambda m: m.col("a") / m.col("b"),
    "floordiv": lambda m: m.col("a") // m.col("b"),
    "reflected": lambda m: (2.0 - m.col("a")) / (3.0 * m.col("b") + 1.0) + (1.0 / m.col("a")),
    "neg_abs": lambda m: -m.col("a") + abs(m.col("b")) - m.col("b").abs(),
    "lt": lambda m: m.col("a") < m.col("b"),
    "le": lambda m: m.col("a") <= m.col("b"),
    "gt": lambda m: m.col("a") > m.col("b"),
    "ge": lambda m: m.col("a") >= m.col("b"),
    "eq": lambda m: m.col("a") == m.col("b"),
    "ne": lambda m: m.col("a") != m.col("b"),
    "compare_literal": lambda m: (m.col("a") > 1.0) | (m.col("b") <= 0.5) | (0.0 < m.col("a")),
    "compare_nan_literal": lambda m: (m.col("a") < m.lit(NAN)) & (m.lit(NAN) >= m.col("b")),
    "is_null": lambda m: m.col("a").is_null() & m.col("b").is_not_null(),
    "fill_null": lambda m: m.col("a").fill_null(m.col("b")).fill_null(7.0),
    "log": lambda m: m.col("a").log(),
    "log2": lambda m: m.col("a").log(2),
    "log2_ceil": lambda m: (m.col("a") * 8.0).log(2).ceil(),
    "exp": lambda m: (m.col("a") * 300.0).exp(),
    "sqrt": lambda m: m.col("a").sqrt(),
    "pow_column": lambda m: m.col("a").pow(m.col("b")),
    "pow_int": lambda m: m.col("a").pow(3) + m.col("b") ** 2 + m.col("a").pow(-3),
    "floor": lambda m: m.col("a").floor() + (m.col("b") / 7.0).floor(),
    "ceil": lambda m: m.col("a").ceil() + (m.col("b") / 7.0).ceil(),
    "clip": lambda m: m.col("a").clip(lower_bound=0.0),
    "clip_both": lambda m: m.col("a").clip(0.0, 1.0),
    "clip_column_bounds": lambda m: m.col("a").clip(m.col("b"), 2.0),
    "clip_inverted": lambda m: m.col("a").clip(m.col("b"), 0.5),
    "max_horizontal": lambda m: m.max_horizontal(m.col("a"), m.col("b")),
    "max_horizontal_list": lambda m: m.max_horizontal([m.col("a"), m.col("b"), m.lit(1.0)]),
    "min_horizontal": lambda m: m.min_horizontal(m.col("a"), m.col("b")),
    "min_horizontal_names": lambda m: m.min_horizontal("a", "b"),
    "sum_horizontal": lambda m: m.sum_horizontal([m.col("a"), m.col("b")]),
    "coalesce": lambda m: m.coalesce(m.col("a"), m.col("b")),
    "when_otherwise": lambda m: m.when(m.col("a") > m.col("b")).then(m.col("a")).otherwise(m.col("b")),
    "when_no_otherwise": lambda m: m.when(m.col("a") > 0.0).then(m.col("b")),
    "when_chain": lambda m: (m.when(m.col("a") > 1.0).then(1.0).when(m.col("b") > 1.0).then(2.0)
                             .when(m.col("a").is_null()).then(None).otherwise(3.0)),
    "when_chain_no_otherwise": lambda m: m.when(m.col("a") > 1.0).then(1.0).when(m.col("b") > 1.0).then(2.0),
    "when_names": lambda m: m.when(m.col("a") > 1.0).then("b").otherwise("a"),
    "cast_float": lambda m: (m.col("a") > 0.0).cast(m.Float64) * m.col("b"),
    "is_in": lambda m: m.col("a").is_in([0.5, 1.5]),
}


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_operation_matches_polars(name):
    check(PAIRS, NUMERIC[name])


# Not rendered as SQL (tests/test_scalar_sql.py reads NUMERIC): only wall 7's closed-loop rate uses them, a plan's
# fixed point and one configuration's, never a query-time column.
TRIGONOMETRIC = {
    "cos": lambda m: m.col("a").cos() + (m.col("b") * 1e-300).cos(),
    "arccos": lambda m: m.col("a").arccos() + (m.col("b") / 4.0).arccos(),
}


@pytest.mark.parametrize("name", TRIGONOMETRIC)
def test_trigonometric_operation_matches_polars(name):
    check(PAIRS, TRIGONOMETRIC[name])


LOGIC = {
    "and": lambda m: m.col("p") & m.col("q"),
    "or": lambda m: m.col("p") | m.col("q"),
    "not": lambda m: ~m.col("p"),
    "and_literal": lambda m: m.col("p") & True,
    "or_literal": lambda m: False | m.col("q"),
    "when": lambda m: m.when(m.col("p")).then(m.lit("p")).when(~m.col("q")).then(m.lit("not q")).otherwise(
        m.lit("else")),
    "when_and": lambda m: m.when(m.col("p"), m.col("q")).then(1.0).otherwise(0.0),
    "fill_null": lambda m: m.col("p").fill_null(False) | m.col("q").is_null(),
}


@pytest.mark.parametrize("name", LOGIC)
def test_boolean_operation_matches_polars(name):
    check(FLAGS, LOGIC[name])


TEXT = {
    "eq": lambda m: m.col("s") == "compute",
    "ne_column": lambda m: m.col("s") != m.col("t"),
    "categorical": lambda m: m.when(m.col("s") == "memory").then(m.lit("bound: memory")).otherwise(
        m.col("t")).cast(m.Categorical),
    "null_string": lambda m: m.when(m.col("s").is_null()).then(m.lit(None, m.String)).otherwise(m.lit("set")),
    "concat_ignore_nulls": lambda m: m.concat_str([m.col("s"), m.col("t")], separator="; ", ignore_nulls=True),
    "concat": lambda m: m.concat_str([m.col("s"), m.col("t")], separator="; "),
    "replace": lambda m: m.concat_str([m.col("s"), m.col("t")], separator="; ", ignore_nulls=True).replace(
        "", None),
    "is_in": lambda m: m.col("s").is_in(["memory", "compute"]),
    "fill_null": lambda m: m.col("s").fill_null("none"),
}


@pytest.mark.parametrize("name", TEXT)
def test_text_operation_matches_polars(name):
    check(WORDS, TEXT[name])


def run(expr, **values):
    return scalar.compile_function({"out": expr})(values)["out"]


def test_null_propagates_and_a_null_condition_takes_the_next_branch():
    a, b = scalar.col("a"), scalar.col("b")
    assert run(a * 2.0 + b, a=None, b=1.0) is None
    assert run(a < b, a=None, b=1.0) is None
    assert run(scalar.when(a > b).then(scalar.lit("yes")).otherwise(scalar.lit("no")), a=None, b=1.0) == "no"
    assert run(scalar.when(a > b).then(scalar.lit("yes")), a=0.0, b=1.0) is None


def test_kleene_logic():
    p, q = scalar.col("p"), scalar.col("q")
    assert run(p & q, p=None, q=False) is False
    assert run(p | q, p=None, q=True) is True
    assert run(p & q, p=None, q=True) is None
    assert run(~p, p=None) is None


def test_ieee_floats_never_raise():
    a, b = scalar.col("a"), scalar.col("b")
    assert run(a / b, a=1.0, b=0.0) == INF
    assert run(a / b, a=-1.0, b=0.0) == -INF
    assert math.isnan(run(a / b, a=0.0, b=0.0))
    assert run(a.log(), a=0.0) == -INF
    assert math.isnan(run(a.sqrt(), a=-1.0))
    assert run(a.exp(), a=1000.0) == INF
    assert math.isnan(run(a.pow(0.5), a=-8.0))
    assert run(a.pow(-1.0), a=0.0) == INF


def test_nan_sorts_above_every_number_and_equals_itself():
    a, b = scalar.col("a"), scalar.col("b")
    assert run(a > b, a=NAN, b=1e300) is True
    assert run(a == b, a=NAN, b=NAN) is True
    assert run(scalar.max_horizontal(a, b), a=NAN, b=1.0) == 1.0  # the horizontal max skips NaN
    assert run(scalar.sum_horizontal(a, b), a=None, b=None) == 0.0


def test_shared_nodes_are_computed_once_and_each_input_read_once():
    a = scalar.col("a")
    shared = (a + 1.0) * 2.0
    function = scalar.compile_function({"x": shared + shared, "y": shared.alias("ignored"), "z": scalar.col("a")})
    assert function({"a": 1.0}) == {"x": 8.0, "y": 4.0, "z": 1.0}
    assert function.source.count("values['a']") == 1
    assert function.source.count("+ 1.0") == 1


def test_outputs_may_be_given_as_aliased_expressions():
    a = scalar.col("a")
    function = scalar.compile_function([(a * 3.0).alias("tripled"), a])
    assert function({"a": 2.0}) == {"tripled": 6.0, "a": 2.0}


def test_a_polars_expression_is_refused_with_the_reason():
    with pytest.raises(TypeError, match=r"units\.E, not polars"):
        scalar.col("a") + pl.lit(1.0)


def test_an_expression_has_no_truth_value():
    with pytest.raises(TypeError, match="ambiguous"):
        bool(scalar.col("a") > 1.0)
