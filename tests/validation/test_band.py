"""The prediction band of a row (``picking.prediction_band``): the point inside it, and a latency row over wall 7's
capacity at an end of its η band unbounded above there (by hand-built frames)."""

from __future__ import annotations

import math

import polars as pl

from pipeline.validation.picking import prediction_band

PROFILE = pl.DataFrame({"measurement": ["ttft", "tok"], "eta_low": [0.35, 0.35], "eta": [0.40, 0.40],
                        "eta_high": [0.45, 0.45]})


def _out(stable_low: bool) -> pl.DataFrame:
    """Each row's configuration at each η: the TTFT row (at 1 req/s) stable at 0.40 and 0.45, at 0.35 as given; the
    throughput row (same rate) unstable at 0.35 too."""
    return pl.DataFrame({
        "measurement": ["ttft"] * 3 + ["tok"] * 3, "metric": ["ttft_s"] * 3 + ["tokens_per_s"] * 3,
        "eta_compute": [0.35, 0.40, 0.45] * 2, "is_stable": [stable_low, True, True, False, True, True],
        "request_rate": [1.0] * 6, "is_feasible": [True] * 6, "ttft_mean_s": [0.1] * 6,
        "max_batch_paged": [10.0] * 6})


def _chosen(low_value: float | None) -> pl.DataFrame:
    # the point (0.40) below the 0.45 end, as a non-monotone pick can give: the band must still hold it
    return pl.DataFrame({"measurement": ["ttft"] * 3 + ["tok"] * 3, "eta_compute": [0.35, 0.40, 0.45] * 2,
                         "value": [low_value, 0.20, 0.25, 90.0, 100.0, 100.0]})


def test_band_holds_the_point():
    band = {r["measurement"]: r for r in prediction_band(_out(True), PROFILE, _chosen(0.30)).iter_rows(named=True)}
    assert (band["ttft"]["predicted_low"], band["ttft"]["predicted_high"]) == (0.20, 0.30)
    assert (band["tok"]["predicted_low"], band["tok"]["predicted_high"]) == (90.0, 100.0)


def test_band_unbounded_above_where_an_end_is_over_capacity():
    """At η_low the TTFT row's rate is over capacity (no value): its top is +inf, not the 0.45 end's 0.25; a
    throughput row over capacity delivers the capacity (a value), so its band stays finite."""
    band = {r["measurement"]: r for r in prediction_band(_out(False), PROFILE, _chosen(None)).iter_rows(named=True)}
    assert band["ttft"]["predicted_low"] == 0.20 and math.isinf(band["ttft"]["predicted_high"])
    assert (band["tok"]["predicted_low"], band["tok"]["predicted_high"]) == (90.0, 100.0)


def test_band_without_load_is_the_ends_and_point():
    out = _out(True).drop("is_stable")
    band = {r["measurement"]: r for r in prediction_band(out, PROFILE, _chosen(None)).iter_rows(named=True)}
    assert (band["ttft"]["predicted_low"], band["ttft"]["predicted_high"]) == (0.20, 0.25)
