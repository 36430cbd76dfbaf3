"""The join with each accelerator's rows together: the plain join's rows of each accelerator, in
the plain join's order, one accelerator after the other (first appearance on the hardware side)."""

import polars as pl
import pytest

from pipeline.studies import grouped
from pipeline.studies.grouped import grouped_join
from pipeline.studies.sides import Space

HW = pl.DataFrame({"hardware": ["B", "A", "B", None, "A"], "workload": ["inference", "training", "training",
                                                                         "inference", "inference"],
                   "peak": [1.0, 2.0, 3.0, 4.0, 5.0]})
MODEL = pl.DataFrame({"model": ["m1", "m2", "m3"], "workload": ["inference", "training", "inference"]})


@pytest.fixture(autouse=True, params=["a join per accelerator", "one sorted join"])
def path(request, monkeypatch):
    """Every test on both ways of building it (``grouped.PART_ROWS``: 0 takes the concatenation of a join
    per accelerator, a billion the single join sorted by accelerator): the same rows in the same order."""
    monkeypatch.setattr(grouped, "PART_ROWS", 0 if request.param == "a join per accelerator" else 10**9)


def test_each_accelerator_together_in_the_joins_order():
    got = grouped_join(HW, MODEL, "hardware").collect()
    # hand-made: per accelerator (B, A, NULL: first appearance), model rows in order, then its hardware rows
    expected = [("B", "m1", 1.0), ("B", "m2", 3.0), ("B", "m3", 1.0),
                ("A", "m1", 5.0), ("A", "m2", 2.0), ("A", "m3", 5.0),
                (None, "m1", 4.0), (None, "m3", 4.0)]
    assert got.select("hardware", "model", "peak").rows() == expected
    assert got.columns == ["hardware", "workload", "peak", "model"]


def test_same_rows_as_the_plain_join_per_accelerator():
    plain = Space(HW, MODEL, {}).frame().collect()
    grouped = Space(HW, MODEL, {}, grouped_by="hardware").frame().collect()
    for value in ("A", "B"):
        assert grouped.filter(pl.col("hardware") == value).equals(plain.filter(pl.col("hardware") == value))
    assert grouped.filter(pl.col("hardware").is_null()).equals(plain.filter(pl.col("hardware").is_null()))
    assert grouped.height == plain.height == 8


def test_empty_hardware_side_keeps_the_schema():
    got = grouped_join(HW.head(0), MODEL, "hardware").collect()
    assert got.height == 0 and got.columns == ["hardware", "workload", "peak", "model"]


def test_an_accelerators_consecutive_rows_are_sliced_with_the_same_rows():
    """A writer's side is sorted by accelerator: each one's rows are consecutive (a slice, not a gather)."""
    side = HW.sort(pl.col("hardware").cast(pl.String), maintain_order=True, nulls_last=True)
    got = grouped_join(side, MODEL, "hardware").collect()
    expected = [("A", "m1", 5.0), ("A", "m2", 2.0), ("A", "m3", 5.0),
                ("B", "m1", 1.0), ("B", "m2", 3.0), ("B", "m3", 1.0),
                (None, "m1", 4.0), (None, "m3", 4.0)]
    assert got.select("hardware", "model", "peak").rows() == expected
