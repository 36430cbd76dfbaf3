"""A space's rows taken by row number (``gathered_pairs``): the rows, order, columns and values of ``Space.frame``,
and the streamed source reading them so."""

import polars as pl

from pipeline.runs import streamed
from pipeline.studies import gathered_pairs
from pipeline.studies.sides import Space

HW = pl.DataFrame({"hardware": ["A", "B", "C", "D"], "workload": ["inference"] * 3 + ["training"],
                   "domain": [8.0, 2.0, None, 8.0], "cluster_gpus": [16.0, None, 4.0, 8.0],
                   "latency": [-0.0, 1e-6, float("nan"), 2e-6]})
MODEL = pl.DataFrame({"model": ["m1", "m2", "m3", "m4", "m5"],
                      "workload": ["inference", "inference", "training", "inference", None],
                      "tp": [4.0, 1.0, 2.0, 4.0, 2.0], "n_experts": [None, 8, None, None, 8]})
# tp must fit the domain (unknown: dropped); tp x experts must fit the cluster (unknown: kept)
RULE = ~(pl.col("tp") > pl.col("domain")).fill_null(True) & ~(
    pl.col("tp") * pl.col("n_experts").fill_null(1) > pl.col("cluster_gpus")).fill_null(False)


def gathered(hw, model, rule, columns, rows=100):
    return pl.concat(list(gathered_pairs.gathered(hw, model, rule, columns, rows)))


def test_the_kept_rows_in_their_order_with_the_columns_asked():
    columns = ["model", "latency", "hardware", "tp"]
    got = gathered(HW, MODEL, RULE, columns)
    # hand-made: model side major, then the hardware rows that allow the model row's layout (m5: no workload)
    assert got.select("model", "hardware").rows() == [("m1", "A"), ("m2", "A"), ("m2", "B"), ("m3", "D"), ("m4", "A")]
    assert got.columns == columns
    assert got.equals(Space(HW, MODEL, {}, row_filter=RULE).frame(HW).select(columns).collect())
    # the same bits: -0.0 stays -0.0 (equal to 0.0, ``equals`` does not tell them apart)
    assert got["latency"].cast(pl.String).to_list() == ["-0.0", "-0.0", "1e-6", "2e-6", "-0.0"]


def test_every_pair_without_rules_in_cuts_of_the_rows_asked():
    expected = Space(HW, MODEL, {}).frame(HW).collect()
    cuts = list(gathered_pairs.gathered(HW, MODEL, None, expected.columns, 4))
    assert [c.height for c in cuts] == [4, 4, 2]  # 10 pairs: inference rows A-C x m1, m2, m4; D x m3; m5 none
    assert pl.concat(cuts).equals(expected)


def test_the_streamed_source_takes_its_cuts_so():
    def rows(space):
        out = streamed.piece_rows(space, [(HW, MODEL)], lambda whole: whole.frame().select("hardware", "model", "tp"),
                                  pl.QueryOptFlags(), source_rows=2)
        return pl.concat(list(out))
    frames = []

    class Listed(Space):  # its own frame: not a product, so cut by ``Space.frame``'s joins
        def frame(self, hardware_side=None):
            frames.append(1)
            return super().frame(hardware_side)

    got = rows(Space(HW, MODEL, {}, row_filter=RULE))
    assert got.height == 5 and got.equals(rows(Listed(HW, MODEL, {}, row_filter=RULE))) and frames


def test_a_column_on_both_sides_is_cut_by_the_join():
    """``gathered`` takes no column of both sides (``Space.frame``'s join suffixes it): the source cuts by the join."""
    model = MODEL.with_columns(domain=pl.lit(1.0))
    space = Space(HW, model, {}, row_filter=RULE)
    cuts = list(streamed.joins(space, HW, model, 2, ["model", "domain_right"]))
    assert all(isinstance(c, pl.LazyFrame) for c in cuts)
    got = pl.concat([c.select("model", "domain_right").collect() for c in cuts])
    assert got.equals(space.frame(HW).select("model", "domain_right").collect())


def test_a_hardware_column_of_one_value_is_that_value_on_every_row():
    """Repeated, not taken: the same rows and bits as ``Space.frame`` (-0.0 beside 0.0, NaN, NULL, text); one
    hardware row (every column one-valued) keeps the frame's height."""
    nan = float("nan")
    hw = HW.with_columns(peak=pl.lit(2.5), zero=pl.Series([0.0, -0.0, 0.0, 0.0]), nan=pl.lit(nan),
                         none=pl.lit(None, dtype=pl.Float64), name=pl.lit("H100").cast(pl.Categorical),
                         workload=pl.lit("inference"))
    assert gathered_pairs.one_valued(hw) == ["workload", "peak", "none", "name"]
    assert gathered_pairs.one_valued(hw.head(0)) == []
    columns = ["model", "peak", "zero", "nan", "none", "name", "hardware", "tp"]
    for side in (hw, hw.head(1)):
        got = gathered(side, MODEL, RULE, columns)
        want = Space(side, MODEL, {}, row_filter=RULE).frame(side).select(columns).collect()
        assert got.height and got.equals(want) and got.schema == want.schema
        assert got.select(pl.all().cast(pl.String)).equals(want.select(pl.all().cast(pl.String)))  # -0.0 is -0.0
