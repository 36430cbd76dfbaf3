"""fits matches its context as the run's (prompt_len, output_len) pairs at it (a semi join, whose range DuckDB pushes
into the fact scan): the same rows, values and order as matching prompt_len + output_len against the longest context
(the SQL before, kept here), for every parameter, on a run whose lengths tie on their sum."""

from __future__ import annotations

import pytest

import pipeline
from pipeline.runs import database

# 128 + 512 and 512 + 128 tie at 640: both pairs' rows are answered; the longest, 1,024, is one pair (a sweep's
# lengths are a product)
SERVING = {"study": "serving", "axes": {
    "model": ["Llama 3.1 8B", "Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB", "L4"], "tp": [1, 2], "batch": [1, 8],
    "prompt_len": [128, 512], "output_len": [128, 512], "precision": ["bf16"]}}
# the context before r-fitsq: each candidate's prompt_len + output_len against the longest of every row
BEFORE = """
    where context_tokens = case when $context_tokens = 0
                                then (select max(prompt_len + output_len) from serving_keys)
                                else $context_tokens end
"""
PARAMS = [{}, {"context_tokens": "640"}, {"context_tokens": "256"}, {"context_tokens": "1024"},
          {"context_tokens": "7"}, {"batch": "8"}, {"model": "Mixtral 8x7B", "context_tokens": "640"},
          {"model": "Llama 3.1 8B", "batch": "8", "context_tokens": "256"}, {"model": "none"}]


def before_sql() -> str:
    """fits.sql with its context matched as before: its at_lengths / at_context CTEs replaced by the old filter."""
    sql = database.query_path("fits").read_text()
    start, end = sql.index("at_lengths as ("), sql.index("fewest as (")
    return sql[:start] + "at_context as (\n    select * from candidates" + BEFORE + "),\n\n" + sql[end:]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return pipeline.run_sweep(SERVING, tmp_path_factory.mktemp("fits") / "run")


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    folder = tmp_path_factory.mktemp("before")
    (folder / "fits.sql").write_text(before_sql())
    return folder


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "defaults")
def test_fits_answers_as_the_sum_against_the_longest_context(run, before, params):
    got = database.run_query("fits", run, params)
    expected = database.run_query("fits", run, params, folder=before)
    assert got.equals(expected) and got.schema == expected.schema
    if params.get("model") != "none" and params.get("context_tokens") != "7":
        assert got.height > 0


def test_a_context_takes_both_pairs_that_tie_on_it_and_the_default_the_longest(run):
    got = database.run_query("fits", run, {"context_tokens": "640"})
    con = database.connect(run)
    try:
        pairs = con.sql("select distinct prompt_len, output_len from serving where batch = 1 and fits_in_hbm "
                        "and prompt_len + output_len = 640 order by all").fetchall()
    finally:
        con.close()
    assert pairs == [(128, 512), (512, 128)]
    assert set(got["context_tokens"]) == {640} and got.height > 0
    assert set(database.run_query("fits", run)["context_tokens"]) == {1024}


def rows_at_context(sql: str) -> str:
    """fits' rows at its context before they are grouped (every column of its memory view, both lengths), in full
    order."""
    head = sql[:sql.index("fewest as (")].rstrip().rstrip(",")
    return head + "\nselect * from at_context order by all"


@pytest.mark.parametrize("params", PARAMS[:3] + PARAMS[5:7], ids=lambda p: ",".join(p.values()) or "defaults")
def test_the_rows_at_the_context_are_the_old_filters(run, before, tmp_path, params):
    """Before the smallest layout is taken (which could hide a pair's rows left out): the same rows, every column."""
    (tmp_path / "fits.sql").write_text(rows_at_context(database.query_path("fits").read_text()))
    got = database.run_query("fits", run, params, folder=tmp_path)
    (tmp_path / "fits.sql").write_text(rows_at_context(before_sql()))
    expected = database.run_query("fits", run, params, folder=tmp_path)
    assert got.equals(expected) and got.height > 0
    if params.get("context_tokens") == "640":
        assert got.select("prompt_len", "output_len").unique().sort("prompt_len").rows() == [(128, 512), (512, 128)]


def test_the_old_filter_is_what_the_comparison_runs():
    """The comparison's SQL is fits' with the old filter in place of the pairs (not fits itself)."""
    sql = before_sql()
    assert "join at_lengths" not in sql and "at_lengths as" not in sql and BEFORE in sql
