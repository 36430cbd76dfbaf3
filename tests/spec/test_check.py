"""The one range-check helper: rules, and the reader that names the key path of each problem."""

from __future__ import annotations

import math

import pytest

from pipeline.spec.check import FLAG, NAME, Checker, Expected, fraction, integer, non_negative, number, one_of, positive

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("rule, good, bad, what", [
    (integer(), [1, 7, 10**12], [0, -1, 1.5, 2.0, NAN, "3", True, None], "an integer > 0"),
    (integer(0), [0, 3], [-1, 0.5, False], "an integer >= 0"),
    (positive(), [1e-9, 3, 2.5e12], [0, -1e-9, NAN, INF, "1", True], "a number > 0"),
    (positive(1.0), [0.01, 1, 1.0], [0, 1.0000001, -0.5, NAN], "a number > 0 and <= 1.0"),
    (fraction(), [0, 0.5, 0.999], [1, 1.0, -0.01, NAN, INF, True], "a number in [0, 1)"),
    (fraction(high_open=False), [0, 1, 1.0], [1.01, -1e-12, NAN], "a number in [0, 1]"),
    (number(0, 10, low_open=False), [0, 10, 3.3], [10.5, -1, NAN], "a number in [0, 10]"),
    (non_negative(), [0, 0.0, 7.5], [-1e-300, NAN, INF, "0", False], "a number >= 0"),
    (non_negative("a number of seconds"), [0, 60], [-1], "a number of seconds >= 0"),
    (FLAG, [True, False], [0, 1, "true", None], "true or false"),
    (NAME, ["x", "H100 SXM5 80GB"], ["", 3, None, True, ["x"]], "a name"),
    (one_of("lz4", "zstd"), ["lz4", "zstd"], ["gzip", "LZ4", 1, None], "one of lz4, zstd"),
    (one_of(0, 1, 2, 3), [0, 3], [4, -1, True, 1.0, "1"], "one of 0, 1, 2, 3"),  # true is not 1, 1.0 is not 1
])
def test_a_rule_keeps_good_values_and_names_what_it_expected(rule, good, bad, what):
    for value in good:
        assert rule(value) == value
    for value in bad:
        with pytest.raises(Expected) as exc:
            rule(value)
        assert exc.value.what == what, value


def test_numbers_become_floats_and_integers_stay_integers():
    assert type(positive()(3)) is float and type(fraction()(0)) is float
    assert type(integer()(3)) is int


def test_an_integer_with_two_bounds_names_the_bound_it_breaks():
    rule = integer(1, 64)
    assert rule(64) == 64
    for value, what in ((0, "an integer > 0"), (65, "an integer <= 64")):
        with pytest.raises(Expected, match=what):
            rule(value)


def test_a_table_reads_values_and_names_each_bad_key():
    c = Checker()
    t = c.table({"t": {"a": 0, "b": [1, 0, "x"], "c": 3.5, "d": "word", "zz": 1}}, "t", ("a", "b", "c", "d"))
    assert t.value("a", integer(), 5) == 5  # a bad value gives the default (the problem is kept)
    assert t.value("absent", integer(), 5) == 5
    assert t.values("b", integer(), (9,)) == (9,)
    assert t.values("c", positive(), None) == (3.5,)  # one value: an axis of one
    assert t.values("d", NAME, None, all_ok=True) == ("word",)
    assert [(p.column, p.message) for p in c.problems] == [
        ("t.zz", "unknown key; expected one of a, b, c, d"),
        ("t.a", "got 0, expected an integer > 0"),
        ("t.b[1]", "got 0, expected an integer > 0"),
        ("t.b[2]", "got 'x', expected an integer > 0")]


@pytest.mark.parametrize("value, message", [
    ([], 'got [], expected a non-empty list of names or "all"'),
    (3, 'got 3, expected a name or "all"'),
])
def test_an_axis_that_may_be_all_says_so(value, message):
    c = Checker()
    assert c.table({"axes": {"model": value}}, "axes", ("model",)).values("model", NAME, None, all_ok=True) is None
    assert [(p.column, p.message) for p in c.problems] == [("axes.model", message)]


def test_all_means_every_row():
    c = Checker()
    assert c.table({"axes": {"model": "all"}}, "axes", ("model",)).values("model", NAME, ("x",), all_ok=True) is None
    assert c.problems == []


def test_a_table_that_is_not_a_table_is_one_problem():
    c = Checker()
    t = c.table({"serving": [1]}, "serving", ("kv_block_tokens",))
    assert t.raw == {}
    assert [(p.column, p.message) for p in c.problems] == [("serving", "got [1], expected a table ([serving])")]


def test_nan_is_never_a_number():
    for rule in (positive(), fraction(), non_negative(), number(-1, 1)):
        with pytest.raises(Expected):
            rule(math.nan)
