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


def test_bundled_prices_carry_as_of_and_an_old_one_is_listed(mlsys, registry):
    """Every bundled price row has an as_of on or before the day it was verified; one set to 2024 is listed
    by its as_of alone (its last_verified stays recent)."""
    prices = read_catalog("cloud_prices", registry)
    assert prices["as_of"].null_count() == 0
    assert prices.filter(pl.col("as_of") > pl.col("last_verified")).height == 0
    p5 = (pl.col("instance") == "p5.48xlarge") & (pl.col("pricing") == "on-demand")
    write_catalog(prices.with_columns(as_of=pl.when(p5).then(pl.lit(dt.date(2024, 1, 1))).otherwise("as_of")),
                  "cloud_prices", registry)
    res = mlsys("catalog", "stale", "--registry", registry, "--table", "cloud_prices", "--today", "2026-12-03",
                "--older-than", "180d", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = {(r["key"], r["column"]): r["age_days"] for r in json.loads(res.stdout)["rows"]}
    # 2024-01-01 -> 2026-12-03: 366 (2024) + 365 (2025) + 336 days of 2026 = 1067
    assert rows[("H100 SXM5 80GB / AWS / p5.48xlarge / on-demand / us-east-1", "as_of")] == 1067
    assert ("H100 SXM5 80GB / AWS / p5.48xlarge / on-demand / us-east-1", "last_verified") not in rows
    # Modal's survey of 2025-08-12 is 478 days before 2026-12-03; AWS's 2026-01-19 file, 318 days
    assert rows[("L40S / AWS / g6e.xlarge / spot / us-east-1", "as_of")] == 478
    assert rows[("A100 SXM4 40GB / AWS / p4d.24xlarge / on-demand / us-east-1", "as_of")] == 318
