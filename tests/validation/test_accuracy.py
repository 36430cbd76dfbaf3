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


def _rows(rows: list[dict]) -> pl.DataFrame:
    """Validation rows of one configuration (the SAME_CONFIG columns equal) at the batches given."""
    from pipeline.validation.accuracy import SAME_CONFIG
    base = {c: None for c in SAME_CONFIG} | {"metric": "samples_per_s", "model": "m", "hardware": "h",
                                             "compute_dtype": "int8", "devices": 1, "bound": "compute",
                                             "batch_used": None}
    floats = {c: pl.Float64 for c in ("batch", "batch_used", "measured", "predicted")}
    return pl.DataFrame([base | r for r in rows], infer_schema_length=None).with_columns(
        pl.col(c).cast(d) for c, d in floats.items())


def test_bound_agreement_compares_the_predicted_batch_response_with_the_measured():
    """Batches 8 -> 32 (4x): measured 100 -> 150 samples/s, elasticity ln 1.5 / ln 4 = 0.2925 ("gains", >= 0.1);
    predicted 100 -> 105, ln 1.05 / ln 4 = 0.0352 ("flat"): they disagree. Batches 8 -> 8.16 (1.02x) are under
    MIN_BATCH_RATIO (2): no pair, however far the two values are apart."""
    from pipeline.validation.accuracy import bound_agreement
    a = {"name": "a", "batch": 8, "measured": 100.0, "predicted": 100.0}
    assert bound_agreement(_rows([a, {"name": "c", "batch": 8.16, "measured": 130.0, "predicted": 100.0}])).height == 0
    got = bound_agreement(_rows([a, {"name": "b", "batch": 32, "measured": 150.0, "predicted": 105.0}]))
    assert got.select("name", "name_2").rows() == [("a", "b")]
    row = got.row(0, named=True)
    assert row["elasticity"] == pytest.approx(0.29248, abs=1e-5)
    assert row["predicted_elasticity"] == pytest.approx(0.035195, abs=1e-6)
    assert (row["measured_response"], row["predicted_response"], row["agrees"]) == ("gains", "flat", False)


def test_bound_agreement_pairs_a_batch_one_latency_with_an_offline_rate():
    """A batch-1 latency of 2 ms (500 samples/s) against 8 devices' offline 64,000 samples/s at batch 1,024
    (8,000 a device): elasticity ln(8,000 x 0.002) / ln 1,024 = ln 16 / ln 1,024 = 0.4 ("gains"); predicted 1 ms and
    8,192 a device: ln 8.192 / ln 1,024 = 2.103159 / 6.931472 = 0.303422 ("gains"): they agree."""
    from pipeline.validation.accuracy import bound_agreement
    table = _rows([{"name": "single", "metric": "latency_s", "batch": None, "batch_used": 1.0, "measured": 0.002,
                    "predicted": 0.001, "bound": "overhead"},
                   {"name": "offline", "batch": None, "batch_used": 1024.0, "devices": 8, "measured": 64000.0,
                    "predicted": 65536.0}])
    row = bound_agreement(table).row(0, named=True)
    assert (row["name"], row["name_2"], row["our_bound"]) == ("single", "offline", "overhead")
    assert row["elasticity"] == pytest.approx(0.4, abs=1e-12)
    assert row["predicted_elasticity"] == pytest.approx(0.303422, abs=1e-6)
    assert row["agrees"]
