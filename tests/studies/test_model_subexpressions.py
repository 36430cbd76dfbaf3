"""A joined plan's subexpressions of the model side alone, computed there before the join (``model_subexpressions``,
issue 15): found only where elementwise, read from their columns by the rewritten plan, the same values bit for bit."""

from __future__ import annotations

import json
from dataclasses import replace

import polars as pl
import pyarrow as pa
import pytest

from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import model_subexpressions as subexpressions
from pipeline.studies import training
from pipeline.studies import training_model_terms as model_terms
from pipeline.studies.sides import Space
from tests.studies.test_training_model_terms import VARIED


def _bits(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.from_arrow(frame[c].to_arrow().view(pa.int64())).alias(c)
                              for c, d in frame.schema.items() if d == pl.Float64)


def _tree(expr: pl.Expr):
    return json.loads(expr.meta.serialize(format="json"))


def test_the_largest_model_side_subtrees_are_found_with_their_operations():
    m, k, h = pl.col("m"), pl.col("k"), pl.col("h")
    expr = (((m * 2.0 + k) / 3.0) * h + pl.when(pl.lit(True)).then(m * k).otherwise(k - 1.0)).alias("x")
    found = {json.dumps(node): ops for node, ops in subexpressions.subtrees(_tree(expr), {"m", "k"})}
    assert sorted(found.values()) == [1, 3]  # (m * 2 + k) / 3; the literal condition's larger branch only
    # a subtree reading the hardware side, or not a row at a time (an aggregation), is not the model side's
    assert subexpressions.subtrees(_tree((m.max() * h).alias("y")), {"m"}) == []
    assert [ops for _, ops in subexpressions.subtrees(_tree((m.max() + m * k).alias("y")), {"m", "k"})] == [1]
    assert subexpressions.subtrees(_tree((pl.lit(2.0) * 3.0 * h).alias("y")), {"m"}) == []


def _space() -> Space:
    model = pl.DataFrame({"m": [1.0, 3.0, 7.0, 0.1], "k": [2.0, 5.0, 0.3, 9.0], "workload": ["t"] * 4})
    hardware = pl.DataFrame({"h": [0.7, 11.0, 3.3], "workload": ["t"] * 3})
    return Space(hardware, model, {"m": None, "k": None, "h": None, "workload": None})


def _plan(frame: pl.LazyFrame, exprs: list[pl.Expr], rewrite=None) -> pl.DataFrame:
    return frame.with_columns(exprs if rewrite is None else rewrite(exprs)).select("x", "y").collect()


def test_the_rewritten_plan_reads_the_model_side_columns_and_gives_the_same_bits(monkeypatch):
    monkeypatch.setattr(subexpressions, "MIN_SAVED", 1)
    m, k, h = pl.col("m"), pl.col("k"), pl.col("h")
    exprs = [((m * 0.1 + k / 3.0) * (m - k / 7.0) * h).alias("x"), (h / (m * 0.1 + k / 3.0 + 1.0)).alias("y")]
    space = subexpressions.with_subexpressions(_space(), exprs, {})
    held = [c for c in space.model_side.columns if c.startswith(subexpressions.PREFIX)]
    assert len(held) == 2 and set(held) <= set(space.units)
    monkeypatch.setattr(subexpressions, "MIN_SAVED", 8)  # x's subtree saves 7 operations a row: not joined
    assert len([c for c in subexpressions.with_subexpressions(_space(), exprs, {}).model_side.columns
                if c.startswith(subexpressions.PREFIX)]) == 0
    rewrite = subexpressions.rewriter(space, {})
    joined = space.model_side.lazy().join(space.hardware_side.lazy(), on="workload", maintain_order="left_right")
    plan = joined.with_columns(rewrite(exprs)).explain(optimized=True)
    assert all(f'col("{c}")' in plan for c in held) and 'col("k")' not in plan
    got, want = _plan(joined, exprs, rewrite), _plan(_space().model_side.lazy().join(
        _space().hardware_side.lazy(), on="workload", maintain_order="left_right"), exprs)  # one row order
    assert _bits(got).equals(_bits(want))
    assert subexpressions.rewriter(_space(), {}) is None  # no columns held: the plan as it is


def test_an_expression_whose_text_does_not_give_it_back_is_left_as_it_is(monkeypatch):
    monkeypatch.setattr(subexpressions, "MIN_SAVED", 1)
    m, k, h = pl.col("m"), pl.col("k"), pl.col("h")
    exprs = [((m * 2.0 + k + pl.lit(float("inf"))) * h).alias("x"), ((m * 2.0 + k) * h).alias("y")]
    space = subexpressions.with_subexpressions(_space(), exprs, {})
    assert len([c for c in space.model_side.columns if c.startswith(subexpressions.PREFIX)]) == 1  # y's only
    rewritten = subexpressions.rewriter(space, {})(exprs)
    assert rewritten[0] is exprs[0] and not rewritten[1].meta.eq(exprs[1])


def test_a_subtree_reading_a_hardware_column_of_two_values_is_held_per_value_with_the_same_bits(monkeypatch):
    """Issue 15 (trhw): training's ``activation_bytes_per_layer`` reads the hardware side only through the saved GEMM
    input bytes (1 or 2 B): computed per value on the model side, read at the row's value."""
    monkeypatch.setattr(subexpressions, "MIN_SAVED", 2)
    m, k, s = pl.col("m"), pl.col("k"), pl.col("s")
    exprs = [((m * 0.1 + k / s) * (m - k / 7.0) * s).alias("x"), (pl.col("h") * m).alias("y")]
    space = _space()
    space = replace(space, hardware_side=space.hardware_side.with_columns(s=pl.Series([1.0, 2.0, 1.0])))
    assert subexpressions.few_valued(space) == {"s": [1.0, 2.0]}  # h has three values
    held = replace(space, units=space.units | {"s": None})
    held = subexpressions.with_subexpressions(held, exprs, {})
    per_value = sorted(c for c in held.model_side.columns if c.startswith(subexpressions.PREFIX))
    assert len(per_value) == 2 and per_value[0].endswith("_0") and per_value[1].endswith("_1")
    # rows in one order for both plans (an unordered join may give each collect its own order under load)
    joined = held.model_side.lazy().join(held.hardware_side.lazy(), on="workload", maintain_order="left_right")
    rewrite = subexpressions.rewriter(held, {})
    plan = joined.with_columns(rewrite(exprs)).explain(optimized=True)
    assert all(f'col("{c}")' in plan for c in per_value) and 'col("k")' not in plan
    assert _bits(_plan(joined, exprs, rewrite)).equals(_bits(_plan(joined, exprs)))
    # a plan over hardware rows with another value reads no per-value column
    other = held.hardware_side.with_columns(s=pl.Series([1.0, 2.0, 4.0]))
    assert 'col("k")' in joined.with_columns(subexpressions.rewriter(held, {}, other)(exprs)).explain()


@pytest.fixture(scope="module")
def space():
    with pytest.MonkeyPatch.context() as patch:  # below the joined rows from which the model side holds them
        patch.setattr(model_terms, "MIN_JOINED_ROWS", 0)
        return training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": VARIED}))


def test_the_training_plan_reads_them_and_gives_every_row_per_row_bits(space):
    held = [c for c in space.model_side.columns if c.startswith(subexpressions.PREFIX)]
    assert held
    got = training.build(space)
    assert sum(got.frame.explain(optimized=True).count(f'col("{c}")') for c in held) >= len(held)
    want = training.build(replace(space, model_side=space.model_side.drop(held))).frame.collect()
    got = got.frame.collect()
    assert got.height > 2_000 and _bits(got).equals(_bits(want))
    assert got["scaling_efficiency"].drop_nulls().n_unique() > 100


def test_formulas_plan_applies_the_rewrite_to_every_level():
    seen: list[str] = []

    def rewrite(batch):
        seen.extend(e.meta.output_name() for e in batch)
        return batch
    formulas.plan(pl.LazyFrame({"a": [1.0]}), {"a": None}, ["b"], {"b": lambda a: a + 1.0}, rewrite=rewrite)
    assert seen == ["b"]
