"""Errors against the measured value and against a published range."""

from __future__ import annotations

import polars as pl
import pytest


def test_errors_band_and_range(table):
    for r in table.iter_rows(named=True):
        assert r["error_pct"] == pytest.approx((r["predicted"] / r["measured"] - 1) * 100)
        assert r["predicted_low"] <= r["predicted"] <= r["predicted_high"]
    ttft = table.filter(pl.col("name") == "llama-ttft").row(0, named=True)
    hi = 0.050
    assert ttft["range_error_pct"] == pytest.approx((ttft["predicted"] / hi - 1) * 100)  # above the range's top


def test_not_predicted_orders_tied_reasons_by_reason():
    from pipeline.validation.accuracy import not_predicted

    table = pl.DataFrame({"name": ["a", "b", "c", "d", "e"], "predicted": [None, None, None, None, 1.0],
                          "reason": ["z", "y", "y", "x", None]})
    assert not_predicted(table).select("reason", "rows").rows() == [("y", 2), ("x", 1), ("z", 1)]
