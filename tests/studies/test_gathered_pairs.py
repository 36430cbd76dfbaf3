"""A space's rows taken by row number (``gathered_pairs``): the rows, order, columns and values of ``Space.frame``,
and the streamed source reading them so."""

import polars as pl

from pipeline.runs import streamed
from pipeline.studies import gathered_pairs
from pipeline.studies.gathered_pairs import GatheredSpace
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


def test_the_kept_rows_in_their_order_with_the_columns_asked():
    space = GatheredSpace(HW, MODEL, {}, row_filter=RULE)
    columns = ["model", "latency", "hardware", "tp"]
    got = space.gathered_frame(HW, columns).collect()
    # hand-made: model side major, then the hardware rows that allow the model row's layout (m5: no workload)
    assert got.select("model", "hardware").rows() == [("m1", "A"), ("m2", "A"), ("m2", "B"), ("m3", "D"), ("m4", "A")]
    assert got.columns == columns
    assert got.equals(Space(HW, MODEL, {}, row_filter=RULE).frame(HW).select(columns).collect())
    # the same bits: -0.0 stays -0.0 (equal to 0.0, ``equals`` does not tell them apart)
    assert got["latency"].cast(pl.String).to_list() == ["-0.0", "-0.0", "1e-6", "2e-6", "-0.0"]


def test_every_pair_without_rules_and_every_column_without_a_list():
    space = GatheredSpace(HW, MODEL, {})
    expected = Space(HW, MODEL, {}).frame(HW).collect()
    assert space.gathered_frame(HW, expected.columns).collect().equals(expected)
    assert space.gathered_frame(HW, None).collect().equals(expected)  # Space.frame's own
    assert space.is_product() and space.frame(HW).collect().equals(expected)


def test_a_column_on_both_sides_is_the_join_s():
    model = MODEL.with_columns(domain=pl.lit(1.0))
    got = GatheredSpace(HW, model, {}, row_filter=RULE).gathered_frame(HW, ["model", "domain_right"]).collect()
    assert got.equals(Space(HW, model, {}, row_filter=RULE).frame(HW).select("model", "domain_right").collect())


def test_the_streamed_source_takes_its_cuts_so():
    def rows(space):
        out = streamed.piece_rows(space, [(HW, MODEL)], lambda whole: whole.frame().select("hardware", "model", "tp"),
                                  pl.QueryOptFlags(), source_rows=2)
        return pl.concat(list(out))
    asked = []

    class Counted(GatheredSpace):
        def gathered_frame(self, hardware_side, columns):
            asked.append(columns)
            return super().gathered_frame(hardware_side, columns)

    got = rows(Counted(HW, MODEL, {}, row_filter=RULE))
    assert got.equals(rows(Space(HW, MODEL, {}, row_filter=RULE))) and got.height == 5
    assert asked and all(sorted(c) == ["hardware", "model", "tp"] for c in asked)  # the plan's columns only


def test_a_hardware_column_of_one_value_is_that_value_on_every_row():
    """Broadcast, not taken: the same rows and bits as ``Space.frame`` (-0.0 beside 0.0, NaN, NULL, text); one
    hardware row (every column one-valued) keeps the frame's height."""
    nan = float("nan")
    hw = HW.with_columns(peak=pl.lit(2.5), zero=pl.Series([0.0, -0.0, 0.0, 0.0]), nan=pl.lit(nan),
                         none=pl.lit(None, dtype=pl.Float64), name=pl.lit("H100").cast(pl.Categorical),
                         workload=pl.lit("inference"))
    assert gathered_pairs.one_valued(hw) == ["workload", "peak", "none", "name"]
    assert gathered_pairs.one_valued(hw.head(0)) == []
    columns = ["model", "peak", "zero", "nan", "none", "name", "hardware", "tp"]
    for side in (hw, hw.head(1)):
        got = GatheredSpace(side, MODEL, {}, row_filter=RULE).gathered_frame(side, columns).collect()
        want = Space(side, MODEL, {}, row_filter=RULE).frame(side).select(columns).collect()
        assert got.height and got.equals(want) and got.schema == want.schema
        assert got.select(pl.all().cast(pl.String)).equals(want.select(pl.all().cast(pl.String)))  # -0.0 is -0.0
