"""The length-free split's columns in parts by the keys they read (``serving_precomputed``, issue 15)."""

from __future__ import annotations

from pipeline.studies import serving_precomputed as precomputed


def test_each_column_goes_with_the_fewest_keys_that_hold_its_own():
    """By hand: {x, y} and {z, w} hold no other set; {x} sits in {x, y}, {w} in {z, w}, {x, w} in neither: its own."""
    columns = ["a", "b", "c", "d", "e"]
    keys = [{"x", "y"}, {"x"}, {"z", "w"}, {"w"}, {"x", "w"}]
    assert precomputed._by_keys_read(columns, keys) == [["a", "b"], ["c", "d"], ["e"]]


def test_a_column_under_two_sets_goes_with_the_smaller():
    columns = ["a", "b", "c"]
    keys = [{"x", "y", "z"}, {"x", "w"}, {"x"}]
    assert precomputed._by_keys_read(columns, keys) == [["a"], ["b", "c"]]
