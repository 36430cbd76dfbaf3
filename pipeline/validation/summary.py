"""Summaries of a validation run for people: the median error per metric, from the model's
own profile, from the fitted eta, and cross-validated (leave one measurement out)."""

from __future__ import annotations

import polars as pl


def error_by_metric(validation: pl.DataFrame) -> pl.DataFrame:
    """Median absolute error % per metric over the rows that have a cross-validated error.
    Grain: one row per metric."""
    rows = validation.filter(pl.col("cv_abs_error_pct").is_not_null())
    return rows.group_by("metric").agg(
        pl.len().alias("rows"),
        pl.col("abs_error_pct").median().alias("median_abs_error_pct_profile"),
        pl.col("fit_abs_error_pct").median().alias("median_abs_error_pct_fit"),
        pl.col("cv_abs_error_pct").median().alias("median_abs_error_pct_cv"),
    ).sort("metric")
