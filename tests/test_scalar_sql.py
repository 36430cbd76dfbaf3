"""The SQL rendering of a formula computes what polars computes, null and NaN included.

Every operation of tests/test_scalar.py's tables is built once with polars and once with ``pipeline.scalar``
rendered as DuckDB SQL (``pipeline.scalar_sql``), on the same hand-picked values (null, NaN, infinities, signed
zeros, ordinary numbers); polars' values are the reference. Then ``formulas.compile_sql`` on unit-carrying
formulas: the units are checked as for polars, and the columns equal a hand calculation.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest

from pipeline import formulas, scalar, scalar_sql
from pipeline.units import DimensionalityError, UExpr, lit, maximum, only_where, unit, where
from tests.test_scalar import FLAGS, LOGIC, NUMERIC, PAIRS, TEXT, WORDS, same

# No rendering: text assembly, which no query-time column uses (a clear TypeError instead).
UNRENDERED = {"concat_ignore_nulls", "concat", "replace"}


def sql_values(frame: pl.DataFrame, sql: str) -> list:
    con = duckdb.connect()
    try:
        con.register("t", frame.to_arrow())
        return [r[0] for r in con.sql(f"SELECT {sql} AS out FROM t").fetchall()]
    finally:
        con.close()


def check(frame: pl.DataFrame, build) -> None:
    """``build(pl)`` on ``frame`` equals ``build(scalar)`` rendered as SQL, row by row."""
    expected = frame.select(build(pl).alias("out"))["out"].to_list()
    got = sql_values(frame, scalar_sql.render(scalar.lit(build(scalar))))
    wrong = [(row, g, e) for row, g, e in zip(frame.iter_rows(named=True), got, expected, strict=True)
             if not same(g, e) and not (isinstance(e, int) and isinstance(g, float) and g == e)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_operation_matches_polars(name):
    check(PAIRS, NUMERIC[name])


@pytest.mark.parametrize("name", LOGIC)
def test_boolean_operation_matches_polars(name):
    check(FLAGS, LOGIC[name])


@pytest.mark.parametrize("name", [n for n in TEXT if n not in UNRENDERED])
def test_text_operation_matches_polars(name):
    check(WORDS, TEXT[name])


@pytest.mark.parametrize("name", sorted(UNRENDERED))
def test_an_operation_without_a_rendering_says_so(name):
    with pytest.raises(TypeError, match="no operation"):
        scalar_sql.render(TEXT[name](scalar))


def test_literals_are_doubles_and_text_is_quoted():
    assert sql_values(pl.DataFrame({"x": [1]}), scalar_sql.literal(0.1) + " * 3") == [0.1 * 3]  # not DECIMAL 0.3
    assert sql_values(pl.DataFrame({"x": [1]}), scalar_sql.literal("it's")) == ["it's"]
    assert math.isinf(sql_values(pl.DataFrame({"x": [1]}), scalar_sql.literal(math.inf))[0])


# -- formulas.compile_sql: a registry of unit-carrying formulas, rendered level by level -------------------------
def _time_s(flop: UExpr, flop_per_s: UExpr) -> UExpr:
    return (flop / flop_per_s).to("s")


def _memory_s(bytes_: UExpr, bytes_per_s: UExpr) -> UExpr:
    return (bytes_ / bytes_per_s).to("ms")


def _latency_s(fits, compute_s: UExpr, memory_s: UExpr) -> UExpr:
    return only_where(fits, maximum(compute_s, memory_s))


def _bound(compute_s: UExpr, memory_s: UExpr):
    return where(compute_s >= memory_s, lit(1.0), 0.0).expr


REGISTRY: dict = {}
for _name, _fn, _inputs in (("compute_s", _time_s, ["flop", "flop_per_s"]),
                            ("memory_s", _memory_s, ["bytes", "bytes_per_s"]),
                            ("latency_s", _latency_s, ["fits", "compute_s", "memory_s"]),
                            ("compute_bound", _bound, ["compute_s", "memory_s"])):
    formulas.define(_name, _inputs, _fn, REGISTRY)
INPUTS = {"flop": unit("FLOP"), "flop_per_s": unit("TFLOP/s"), "bytes": unit("GB"), "bytes_per_s": unit("TB/s"),
          "fits": None}


def run_sql(plan: formulas.SqlPlan, frame: pl.DataFrame) -> pl.DataFrame:
    sql = "SELECT * FROM t"
    for level in plan.levels:
        sql = f"SELECT *, {', '.join(f'{e} AS {scalar_sql.column(n)}' for n, e in level)} FROM ({sql})"
    con = duckdb.connect()
    try:
        con.register("t", frame.to_arrow())
        return con.sql(f"SELECT {', '.join(plan.outputs)} FROM ({sql})").pl()
    finally:
        con.close()


def test_compile_sql_converts_units_and_computes_each_level_once():
    """Hand values: 2e12 FLOP at 1 TFLOP/s is 2 s; 3 GB at 1 TB/s is 3 ms, so latency = max(2 s, 3 ms) = 2 s
    and compute binds; 1e9 FLOP at 1 TFLOP/s is 1 ms, 6 GB at 2 TB/s is 3 ms, latency 3 ms = 0.003 s and
    memory binds; a row that does not fit has no latency."""
    frame = pl.DataFrame({"flop": [2e12, 1e9, 1e9], "flop_per_s": [1.0, 1.0, 1.0], "bytes": [3.0, 6.0, 6.0],
                          "bytes_per_s": [1.0, 2.0, 2.0], "fits": [True, True, False]})
    plan = formulas.compile_sql(INPUTS, ["latency_s", "compute_bound"], REGISTRY)
    assert plan.units["latency_s"] == unit("s") and [n for n, _ in plan.levels[0]] == ["compute_s", "memory_s"]
    got = run_sql(plan, frame)
    assert got["latency_s"][:2].to_list() == pytest.approx([2.0, 0.003], rel=1e-15)
    assert got["latency_s"][2] is None and got["compute_bound"].to_list() == [1.0, 0.0, 0.0]
    # the polars plan of the same formulas gives the same values
    polars = formulas.plan(frame.lazy(), INPUTS, ["latency_s", "compute_bound"], REGISTRY).frame.collect()
    assert polars.equals(got)


def test_compile_sql_checks_units_as_polars_does():
    with pytest.raises(DimensionalityError):
        formulas.compile_sql(INPUTS | {"bytes": unit("s")}, ["latency_s"], REGISTRY)
