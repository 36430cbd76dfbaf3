"""The validation summary for people: medians per metric, worked by hand."""

from __future__ import annotations

import polars as pl

from pipeline.validation.summary import error_by_metric


def test_error_by_metric_takes_medians_over_cross_validated_rows():
    table = pl.DataFrame({
        "metric": ["ttft_s", "ttft_s", "ttft_s", "step_time_s", "step_time_s"],
        "abs_error_pct": [10.0, 20.0, 99.0, 5.0, 7.0],
        "fit_abs_error_pct": [1.0, 3.0, 99.0, 2.0, 4.0],
        "cv_abs_error_pct": [2.0, 6.0, None, 3.0, 5.0],  # the third ttft row has no CV error: left out
    })
    out = error_by_metric(table)
    assert out.to_dicts() == [
        {"metric": "step_time_s", "rows": 2, "median_abs_error_pct_profile": 6.0, "median_abs_error_pct_fit": 3.0,
         "median_abs_error_pct_cv": 4.0},
        {"metric": "ttft_s", "rows": 2, "median_abs_error_pct_profile": 15.0, "median_abs_error_pct_fit": 2.0,
         "median_abs_error_pct_cv": 4.0},
    ]
