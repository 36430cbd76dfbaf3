"""``mlsys catalog stale`` (issue 13 item 4): rows whose last_verified or as_of is old."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.stale import parse_duration, stale_rows
from pipeline.errors import InputError

TODAY = dt.date(2027, 6, 1)


def test_durations():
    assert parse_duration("180d") == dt.timedelta(days=180)
    assert parse_duration("26w") == dt.timedelta(days=182)
    assert parse_duration("1Y") == dt.timedelta(days=365)
    for bad in ("6m", "180", "-3d", "1.5y", "d"):
        with pytest.raises(InputError, match=r"--older-than: got .*expected a whole number of days, weeks or years"):
            parse_duration(bad)


def test_last_verified_and_as_of():
    """A price row is stale by its as_of even when its source was re-read recently."""
    prices = pl.DataFrame({"accelerator": ["H100", "A100", "T4"], "cloud": ["AWS"] * 3, "instance": ["p5", "p4d", "g4"],
                           "pricing": ["on-demand"] * 3, "cloud_region": ["us-east-1"] * 3,
                           "last_verified": [dt.date(2027, 5, 1), dt.date(2026, 1, 1), dt.date(2027, 5, 1)],
                           "as_of": [dt.date(2025, 6, 1), dt.date(2026, 1, 1), dt.date(2027, 1, 1)]})
    hardware = pl.DataFrame({"name": ["X1", "X2"], "last_verified": [dt.date(2026, 12, 2), dt.date(2026, 12, 3)]})
    out = stale_rows({"cloud_prices": prices, "hardware": hardware}, dt.timedelta(days=180), TODAY)
    # cutoff 2027-06-01 - 180 d = 2026-12-03: X2 (on the cutoff) is not stale; T4's as_of 2027-01-01 is recent
    assert out.rows() == [
        ("cloud_prices", "H100 / AWS / p5 / on-demand / us-east-1", "as_of", dt.date(2025, 6, 1), 730),
        ("cloud_prices", "A100 / AWS / p4d / on-demand / us-east-1", "as_of", dt.date(2026, 1, 1), 516),
        ("cloud_prices", "A100 / AWS / p4d / on-demand / us-east-1", "last_verified", dt.date(2026, 1, 1), 516),
        ("hardware", "X1", "last_verified", dt.date(2026, 12, 2), 181)]


def test_cli(mlsys, registry):
    frame = read_catalog("precisions", registry)
    old = frame.with_columns(pl.when(pl.col("name") == "fp8").then(pl.lit(dt.date(2020, 1, 1)))
                             .otherwise(pl.col("last_verified")).alias("last_verified"))
    write_catalog(old, "precisions", registry)
    newest = max(read_catalog(t, registry)["last_verified"].max() for t in ("hardware", "models"))
    res = mlsys("catalog", "stale", "--registry", registry, "--table", "precisions", "--today", "2021-01-01",
                "--older-than", "200d", "--format", "json", "--exit-code")
    assert res.exit_code == 1, res.stderr
    rows = json.loads(res.stdout)["rows"]
    assert [(r["table"], r["key"], r["column"], r["age_days"]) for r in rows] == [
        ("precisions", "fp8", "last_verified", 366)]  # 2020 is a leap year
    res = mlsys("catalog", "stale", "--registry", registry, "--older-than", "1d", "--today", str(newest))
    assert res.exit_code == 0 and "fp8" in res.stdout
    res = mlsys("catalog", "stale", "--registry", registry, "--older-than", "6 months")
    assert res.exit_code == 2 and "--older-than: got '6 months'" in res.stderr
    res = mlsys("catalog", "stale", "--today", "tomorrow")
    assert res.exit_code == 2 and "expected a date YYYY-MM-DD" in res.stderr
