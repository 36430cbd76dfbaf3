"""Cutting a chunk's rows into one part per accelerator: runs of equal values."""

import polars as pl

from pipeline.runs.partitions import runs_of


def test_runs_of_equal_values():
    values = pl.Series(["B", "B", "A", "A", "A", None, "B"], dtype=pl.Categorical)
    assert list(runs_of(values)) == [(0, 2), (2, 3), (5, 1), (6, 1)]


def test_runs_of_nothing():
    assert list(runs_of(pl.Series([], dtype=pl.Categorical))) == []
