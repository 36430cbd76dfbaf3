"""The TTFT residual breakdown (tests.validation.ttft_residuals) on a hand-made frame: the values below are worked out
by hand in each docstring, not read from the code."""

from __future__ import annotations

import polars as pl

from tests.validation.ttft_residuals import by_group, server_ratios, ttft_rows


def _rows() -> pl.DataFrame:
    base = {"source_url": "https://github.com/mlcommons/inference_results_v5.1/blob/x/closed/A/results/s.txt",
            "framework": "vLLM", "concurrency": None, "statistic": "p50"}
    rows = [
        {"name": "sys-a-ttft-p50", "metric": "ttft_s", "measured": 1.0, "predicted": 0.5, "prompt_len": None,
         "request_rate": 2.0},
        {"name": "sys-a-tpot-mean", "metric": "itl_s", "measured": 0.2, "predicted": 0.25, "prompt_len": None,
         "request_rate": 2.0},
        {"name": "idle-ttft", "metric": "ttft_s", "measured": 0.1, "predicted": 0.12, "prompt_len": 128,
         "request_rate": None},
        {"name": "unpredicted-ttft", "metric": "ttft_s", "measured": 0.1, "predicted": None, "prompt_len": 5000,
         "request_rate": None},
    ]
    frame = pl.DataFrame([base | r for r in rows], schema_overrides={"concurrency": pl.Int64, "prompt_len": pl.Int64})
    error = (pl.col("predicted") / pl.col("measured") - 1.0) * 100.0
    return frame.with_columns(error_pct=error, abs_error_pct=error.abs())


def test_groups_and_errors() -> None:
    """Two predicted TTFT rows (the unpredicted one and the TPOT row are left out): 0.5 / 1.0 - 1 = -50 % under a
    rate from a dataset's lengths, 0.12 / 0.1 - 1 = +20 % with no load at a 128-token prompt; by load each group
    holds one row; by source both share github.com/mlcommons/inference_results_v5.1, median of -50 and +20 = -15 %,
    of |error| 35 %, within ±30 %: one of two."""
    rows = ttft_rows(_rows())
    assert rows.height == 2
    load = {r["load"]: r for r in by_group(rows, "load").iter_rows(named=True)}
    assert abs(load["rate"]["median_error_pct"] + 50.0) < 1e-9
    assert abs(load["none"]["median_error_pct"] - 20.0) < 1e-9
    assert {r["prompt"] for r in rows.iter_rows(named=True)} == {"dataset", "<=256"}
    source = by_group(rows, "source").row(0, named=True)
    assert source["source"] == "github.com/mlcommons/inference_results_v5.1"
    assert abs(source["median_error_pct"] + 15.0) < 1e-9 and abs(source["median_abs_error_pct"] - 35.0) < 1e-9
    assert source["within_30"] == 0.5


def test_server_ratio() -> None:
    """System sys-a: measured TTFT / TPOT = 1.0 / 0.2 = 5, predicted 0.5 / 0.25 = 2."""
    ratios = server_ratios(_rows())
    assert ratios.height == 1
    row = ratios.row(0, named=True)
    assert row["system"] == "sys-a" and abs(row["measured_ratio"] - 5.0) < 1e-12
    assert abs(row["predicted_ratio"] - 2.0) < 1e-12
