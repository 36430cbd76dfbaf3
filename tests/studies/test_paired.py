"""The join under the pair rules: the rows the filtered product keeps, in its order, the rules evaluated per
hardware row x layout (``paired``)."""

import polars as pl

from pipeline.studies.paired import paired
from pipeline.studies.sides import Space

HW = pl.DataFrame({"hardware": ["A", "B", "C", "D"], "workload": ["inference"] * 3 + ["training"],
                   "domain": [8.0, 2.0, None, 8.0], "cluster_gpus": [16.0, None, 4.0, 8.0]})
MODEL = pl.DataFrame({"model": ["m1", "m2", "m3", "m4", "m5"],
                      "workload": ["inference", "inference", "training", "inference", "inference"],
                      "tp": [4.0, 1.0, 2.0, 4.0, 2.0], "n_experts": [None, 8, None, None, 8]})
# tp must fit the domain (unknown: dropped); tp x experts must fit the cluster (unknown: kept)
RULE = ~(pl.col("tp") > pl.col("domain")).fill_null(True) & ~(
    pl.col("tp") * pl.col("n_experts").fill_null(1) > pl.col("cluster_gpus")).fill_null(False)


def test_the_rows_the_filtered_join_keeps_in_its_order():
    got = paired(HW, MODEL, RULE).collect()
    # hand-made: model side major, then the hardware rows that allow the model row's layout
    expected = [("m1", "A"), ("m2", "A"), ("m2", "B"), ("m3", "D"), ("m4", "A"), ("m5", "A"), ("m5", "B")]
    assert got.select("model", "hardware").rows() == expected
    plain = HW.lazy().join(MODEL.lazy(), on="workload", maintain_order="right_left").filter(RULE).collect()
    assert got.equals(plain) and got.columns == ["hardware", "workload", "domain", "cluster_gpus", "model", "tp",
                                                 "n_experts"]


def test_a_space_and_its_grouped_join_take_it():
    plain = Space(HW, MODEL, {}).frame().filter(RULE).collect()
    assert Space(HW, MODEL, {}, row_filter=RULE).frame().collect().equals(plain)
    grouped = Space(HW, MODEL, {}, row_filter=RULE, grouped_by="hardware").frame().collect()
    assert grouped.sort("hardware", maintain_order=True).equals(plain.sort("hardware", maintain_order=True))


def test_a_column_on_both_sides_filters_the_plain_join():
    model = MODEL.with_columns(domain=pl.lit(1.0))
    got = paired(HW, model, RULE).collect()
    plain = HW.lazy().join(model.lazy(), on="workload", maintain_order="right_left").filter(RULE).collect()
    assert got.equals(plain) and "domain_right" in got.columns


def test_no_rule_is_the_product():
    assert paired(HW, MODEL, None).collect().height == 4 * 3 + 1
