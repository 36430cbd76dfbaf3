"""The one number formatter: expected strings written by hand from the values."""

from __future__ import annotations

import pytest

from pipeline.report.format import quantity


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (80e9, "B", "80 GB"),                  # H100 SXM5 capacity
    (3.35e12, "B/s", "3.35 TB/s"),         # H100 SXM5 bandwidth
    (989.4e12, "FLOP/s", "989 TFLOP/s"),   # H100 SXM5 dense FP16
    (16.2e6, "USD", "16.2 M USD"),
    (0.0412, "s", "41.2 ms"),
    (1600, "W", "1.6 kW"),
    (4e-6, "s", "4 µs"),
    (5e-10, "s", "500 ps"),
    (400e9, "bit/s", "400 Gbit/s"),
    (1.5e18, "FLOP", "1.5 EFLOP"),
    (999.96e3, "B", "1 MB"),               # rounds up into the next prefix
    (-3.2e9, "B", "-3.2 GB"),
    (0.5, "B", "0.5 B"),                   # bytes take no milli prefix
    (2, "GiB", "2 GiB"),                   # a binary unit is printed as given
    (1343.2, "tok/s", "1.34 k tok/s"),
    (392759.7, "tok/s", "393 k tok/s"),
    (2048, "tok", "2048 tok"),             # whole counts below a million stay exact
    (6738415616, "param", "6.74 G param"),
    (0.0123, "USD", "0.0123 USD"),
    (12.5, "%", "12.5 %"),
    (100, "s", "100 s"),
    (5000, "s", "83.3 min"),
    (7200, "s", "2 h"),
    (3_609_637, "s", "41.8 d"),
    (1e-20, "s", "1e-20 s"),
])
def test_engineering_prefixes_and_units(value, unit, expected):
    assert quantity(value, unit) == expected


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (None, "s", "–"),
    (None, None, "–"),
    (-0.0, None, "0"),
    (-0.0, "s", "0 s"),
    (0.0, "B", "0 B"),
    (float("nan"), None, "NaN"),
    (float("inf"), "s", "∞ s"),
    (0.3, None, "0.3"),
    (0.33582218, "", "0.336"),
    (16, None, "16"),
    (123456.7, None, "123457"),
    (6738415616, None, "6.74e9"),
    (1e-5, None, "1e-5"),
    (True, None, "True"),
    ("fp16", None, "fp16"),
])
def test_null_zero_and_plain_numbers(value, unit, expected):
    assert quantity(value, unit) == expected


def test_digits():
    assert quantity(3.14159e12, "B/s", digits=5) == "3.1416 TB/s"
    assert quantity(0.0412345, "s", digits=2) == "41 ms"
