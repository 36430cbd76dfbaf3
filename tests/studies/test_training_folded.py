"""The training plan's ``when`` on a literal condition and products by 1.0, folded (``training_folded``, issue 15): each
folded expression gives, bit for bit and in the same dtype, what the expression gave; the plan of a large space gives
every row that the unfolded plan gives."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.studies import training_model_terms as model_terms
from pipeline.studies.training_folded import folding

from tests.studies.test_training_model_terms import AXES, VARIED

ROWS = pl.DataFrame({"a": [1.5, -0.0, None, float("nan")], "i": [1, 2, 3, None], "z": [True, None, False, True]})
ONE = pl.lit(1.0, pl.Float64)  # a one-valued column read as a literal (``formulas.plan``'s ``constants``)
EXPRESSIONS = {
    "literal condition": pl.when(ONE > 1).then(pl.col("a") * 2.0).otherwise(0.0),
    "literal true": pl.when(ONE >= 1).then(pl.col("i")).otherwise(0.0),
    "null condition": pl.when(pl.lit(None, pl.Boolean)).then(pl.col("a")).otherwise(0.5),
    "is null of null": pl.when(pl.lit(None).is_null()).then(0.25).otherwise(pl.col("i")),
    "and false": pl.when(pl.col("z") & False).then(0.21).otherwise(0.04),
    "or true": pl.when(pl.col("z") | (ONE > 0)).then(pl.col("a")).otherwise(1.0),
    "times one": pl.col("a") * 1.0,
    "int times one": pl.col("i") * ONE,
    "one times": ONE * pl.col("a"),
    "over one": pl.col("i") / 1.0,
    "null arithmetic": pl.col("a") / pl.lit(None, pl.Float64),
    "null branch": pl.when(pl.lit(None).is_null()).then(pl.col("a")).otherwise(pl.lit(None, pl.Float64) * pl.col("a")),
    "words": pl.when(ONE > 1).then(pl.lit("input pipeline")).otherwise(pl.when(pl.col("z")).then(pl.lit("compute"))
                                                                   .otherwise(pl.lit("bubble"))),
    "column-free": pl.col("a") * pl.lit(None, pl.Float64).fill_null(1.0).clip(1.0),
    "nested": (pl.col("a") * 1.0) + pl.when(ONE - 1.0 > 0).then(pl.col("a") / 1.0).otherwise(0.0),
}
KEPT = {  # a condition that reads a column, or branches of no float literal: as they are
    "column condition": pl.when(pl.col("z")).then(pl.col("a")).otherwise(0.0),
    "times two": pl.col("a") * 2.0,
    "max of a null": pl.max_horizontal(pl.lit(None, pl.Float64), pl.col("a")),
}


def _bits(frame: pl.DataFrame) -> pl.DataFrame:
    """Every float column as its 64 bits (0.0 and -0.0 apart, every NaN payload)."""
    return frame.with_columns(pl.from_arrow(frame[c].to_arrow().view(pa.int64())).alias(c)
                              for c, d in frame.schema.items() if d == pl.Float64)


def test_folded_expressions_give_the_same_values_and_dtypes():
    exprs = [e.alias(name) for name, e in EXPRESSIONS.items()]
    got, want = ROWS.with_columns(folding()(exprs)), ROWS.with_columns(exprs)
    assert got.schema == want.schema and _bits(got.drop("nested")).equals(_bits(want.drop("nested")))
    # polars adds a 0.0 literal as nothing (-0.0 + 0.0 stays -0.0; the branch it folded to gave 0.0): equal values
    assert got["nested"].to_list()[:2] == [1.5, 0.0] == want["nested"].to_list()[:2]
    assert got["nested"][2:].is_null().to_list() == [True, False] and got["nested"].is_nan().to_list()[3]
    assert not any(w in str(e) for e in folding()(exprs)
                   for w in ("when(false)", "when(true)", "when(null", "* 1.0", "/ 1.0", "* null", "fill_null"))


def test_a_column_an_earlier_level_folded_to_a_null_is_read_as_it():
    """The input pipeline's utilization without storage (null on every row): the step's stretch and the bound's
    branch on it fold in the levels after."""
    levels = [[(pl.col("a") * pl.lit(None, pl.Float64)).alias("n"), (pl.col("a") > 1).alias("b")],
              [pl.max_horizontal("n", pl.col("n") / pl.col("a")).alias("m")],
              [pl.when(pl.col("m").fill_null(0.0) > 1.0).then(0.0).otherwise(pl.col("a")).alias("e"),
               (pl.col("a") * pl.col("m").fill_null(1.0).clip(1.0)).alias("s")]]
    rewrite, got, want = folding(), ROWS, ROWS
    for batch in levels:
        got, want = got.with_columns(rewrite(batch)), want.with_columns(batch)
    assert got.schema == want.schema and _bits(got).equals(_bits(want))
    assert [str(e) for e in rewrite(levels[2])] == ['col("a").strict_cast(Float64).alias("e")',
                                                     'col("a").strict_cast(Float64).alias("s")']


def test_other_expressions_are_kept():
    exprs = [e.alias(name) for name, e in KEPT.items()]
    assert all(a is b for a, b in zip(folding()(exprs), exprs))
    # a literal condition between branches of no float literal: its condition folded, its branches kept
    assert str(folding()([pl.when(ONE > 1).then(pl.col("a")).otherwise(pl.col("i"))])[0]).startswith(".when(false)")


@pytest.fixture(scope="module", params=[VARIED, AXES], ids=["varied", "one-valued"])
def large(request):
    with pytest.MonkeyPatch.context() as patch:  # these spaces are below the joined rows from which plans are folded
        patch.setattr(model_terms, "MIN_JOINED_ROWS", 0)
        space = training.build_space(load_catalogs(), parse_spec({"study": "training", "axes": request.param}))
        plan = training.build(space).frame
        patch.setattr(model_terms, "folding", lambda: lambda batch: batch)
        patch.setattr(training, "folding", lambda: lambda batch: batch)
        return plan, training.build(space).frame


def test_the_folded_plan_gives_every_row_bit_for_bit(large):
    plan, unfolded = large
    got, want = plan.collect(), unfolded.collect()
    assert got.height > 2_000 and got.schema == want.schema and _bits(got).equals(_bits(want))
    assert got["cp_comm_time_s"].n_unique() > 1 or got["cp"].max() == 1


def test_the_one_valued_layout_axes_leave_no_branch_on_a_literal(large):
    plan, unfolded = large
    folded_plan, before = plan.explain(optimized=True), unfolded.explain(optimized=True)
    assert "when(false)" not in folded_plan and "when(true)" not in folded_plan and "/ null" not in folded_plan
    assert 'null.alias("input_utilization")' in folded_plan  # no storage or host pipeline in these specs
    assert before.count("when(false)") >= 2 or "when(" in folded_plan  # the one-valued space had them (cp = ep = 1)
