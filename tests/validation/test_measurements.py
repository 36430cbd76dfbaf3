"""Reading measurements: bad rows reported by line and column, the rest kept; names unique; a
file with no good row is an error."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.validation import read_measurements

from .measured_csv import BAD, ROWS, write


def test_bad_rows_are_reported_by_line_and_the_rest_still_run(tmp_path, catalogs):
    measured = read_measurements(write(tmp_path, [ROWS[0], *BAD]), catalogs)
    rendered = sorted(p.render() for p in measured.problems)
    assert rendered == sorted([
        "row 2 (line 3), column model: unknown name 'ResNet-51'; did you mean 'ResNet-50', 'ResNet-18', "
        "'ResNet-101'?",
        "row 3 (line 4), column value: got -1.0, expected > 0",
        "row 4 (line 5), column unit: expected a value, got null",
        "row 5 (line 6), column unit: got 'tok/s', expected a unit of s"])
    assert measured.rows["name"].to_list() == ["resnet-b1"]


def test_a_repeated_name_is_an_error(tmp_path, catalogs):
    with pytest.raises(InputError) as raised:
        read_measurements(write(tmp_path, [ROWS[0], ROWS[1], ROWS[0]]), catalogs)
    assert [p.render() for p in raised.value.problems] == [
        "column name: 'resnet-b1' appears on lines 2, 4; names must be unique"]


def test_a_file_without_good_rows_is_an_error(tmp_path, catalogs):
    with pytest.raises(InputError) as raised:
        read_measurements(write(tmp_path, BAD[1:2]), catalogs)
    assert [p.render() for p in raised.value.problems] == ["row 1 (line 2), column value: got -1.0, expected > 0"]
    with pytest.raises(InputError) as raised:
        read_measurements(write(tmp_path, []), catalogs)
    assert [p.render() for p in raised.value.problems] == ["no measurement rows"]


def test_a_csv_may_state_the_published_layout_or_leave_it_out(tmp_path, catalogs):
    """The issue-12 columns (cp, zero_stage, virtual_stages, sequence_parallel, ...) are optional in a
    CSV; when given they are typed, and a flag that is not true/false is reported by line."""
    from .measured_csv import HEADER

    gpt3 = ROWS[3]  # the training row (TP 8, PP 12, DP 4)
    path = tmp_path / "layout.csv"
    path.write_text(f"{HEADER},cp,zero_stage,virtual_stages,sequence_parallel\n"
                    f"{gpt3},1,2,3,false\n{gpt3.replace('gpt3-384', 'gpt3-bad')},1,1,1,maybe\n")
    measured = read_measurements(path, catalogs)
    row = measured.rows.row(0, named=True)
    assert (row["cp"], row["zero_stage"], row["virtual_stages"], row["sequence_parallel"]) == (1, 2, 3, False)
    assert row["kv_cache"] is None and row["request_rate"] is None  # left out: null
    assert [(p.column, p.label) for p in measured.problems] == [("sequence_parallel", "line 3")]


def test_a_unit_is_never_evaluated(tmp_path, catalogs):
    """Issue 14: a unit cell holding arithmetic ('9**9**9 ms' makes pint compute forever) is a bad cell."""
    row = ROWS[0].replace(",ms,", ",9**9**9 ms,")
    measured = read_measurements(write(tmp_path, [row, ROWS[1]]), catalogs)
    assert [p.render() for p in measured.problems] == [
        "row 1 (line 2), column unit: got '9**9**9 ms', expected a unit (names such as ms, tok/s, %; no arithmetic)"]


def test_an_empty_file_is_an_error(tmp_path, catalogs):
    """Issue 14: an empty --measured file ended in a polars traceback."""
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError) as raised:
        read_measurements(tmp_path / "empty.csv", catalogs)
    assert [p.render() for p in raised.value.problems] == ["is empty; expected a header line and measurement rows"]


def test_rows_validated_once_are_read_back_from_the_cache(tmp_path, catalogs, monkeypatch):
    """The same CSV again: its rows come from the validated-catalog cache, not pandera; rows that fail are never
    cached, so a bad CSV still reports every bad row."""
    from pipeline.validation import measurements

    monkeypatch.setenv("MLSYS_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, [ROWS[0], *BAD])
    first = read_measurements(path, catalogs)
    calls, validate = [], measurements.validate
    monkeypatch.setattr(measurements, "validate", lambda frame, table: calls.append(frame.height) or validate(
        frame, table))
    again = read_measurements(path, catalogs)
    assert again.rows.equals(first.rows) and [p.render() for p in again.problems] == [
        p.render() for p in first.problems]
    assert calls == [len(BAD) + 1]  # the whole file again (it failed: never cached); its good rows from the cache
    assert len(list((tmp_path / "cache" / "catalogs").glob("measured-rows-*.arrow"))) == 1
