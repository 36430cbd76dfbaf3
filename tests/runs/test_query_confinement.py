"""Issue 14 item 1: a query is a name from sql/ (or from a query folder the user names), one SELECT
statement, run on a read-only connection that reads the run's folder and nothing else."""

from __future__ import annotations

import json

import pytest

import pipeline
from pipeline.errors import InputError, UnknownNameError
from pipeline.runs import database


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"], "batch": [1]}},
                              tmp_path_factory.mktemp("out"))


@pytest.fixture
def folder(tmp_path):
    def write(name: str, sql: str):
        (tmp_path / f"{name}.sql").write_text(sql)
        return tmp_path
    return write


@pytest.mark.parametrize("name", ["../../../tmp/evil", "/tmp/evil", "sql/shortlist", "..", ".hidden", "a\\b", ""])
def test_a_query_is_a_name_never_a_path(run_dir, tmp_path, name):
    (tmp_path / "evil.sql").write_text("select 1 as x")
    with pytest.raises(UnknownNameError):
        database.run_query(name, run_dir)


def test_a_link_out_of_the_query_folder_is_not_followed(run_dir, tmp_path):
    outside = tmp_path / "outside.sql"
    outside.write_text("select 1 as x")
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "linked.sql").symlink_to(outside)
    with pytest.raises(UnknownNameError):
        database.run_query("linked", run_dir, folder=tmp_path / "q")


def test_a_users_query_folder_named_explicitly_runs(run_dir, folder):
    path = folder("mine", "-- reads: node\n-- param top = 1\nselect hardware from node limit $top")
    assert database.run_query("mine", run_dir, folder=path)["hardware"].to_list() == ["T4"]
    assert "mine" in pipeline.api.queries(path)


@pytest.mark.parametrize(("sql", "kind"), [
    ("copy (select 1) to '/tmp/mlsys-evil.csv'", "COPY"),
    ("attach '/tmp/mlsys-evil.db' as evil", "ATTACH"),
    ("install httpfs", "INSTALL"),
    ("load httpfs", "LOAD"),
    ("pragma version", "PRAGMA"),
    ("set enable_external_access = true", "SET"),
    ("select 1; copy (select 1) to '/tmp/mlsys-evil.csv'", "SELECT, COPY"),
    ("create table t as select 1", "CREATE"),
])
def test_only_one_select_statement_is_accepted(run_dir, folder, sql, kind):
    with pytest.raises(InputError) as err:
        database.run_query("bad", run_dir, folder=folder("bad", sql))
    assert f"holds {kind} statement(s); a query is one SELECT statement" in str(err.value)


@pytest.mark.parametrize("source", ["read_csv('/etc/passwd')", "read_parquet('../../x.parquet')",
                                    "read_text('/etc/hostname')"])
def test_a_select_reads_the_run_folder_and_nothing_else(run_dir, folder, source):
    with pytest.raises(InputError) as err:
        database.run_query("peek", run_dir, folder=folder("peek", f"select * from {source}"))
    assert "reads outside the run's folder" in str(err.value)


def test_the_run_folder_itself_stays_readable(run_dir, folder):
    sql = "select count(*) as n from read_parquet('study=node/*/*.parquet')"
    rows = json.loads((run_dir / "manifest.json").read_text())["rows"]["node"]
    assert database.run_query("own", run_dir, folder=folder("own", sql))["n"].to_list() == [rows] != [0]


@pytest.mark.parametrize(("param", "message"), [
    ({"model": "ResNet-50", "top": "abc"}, "column top: got 'abc', expected an integer"),
    ({"model": "ResNet-50", "top": "2.5"}, "column top: got '2.5', expected an integer"),
    ({"model": "ResNet-50", "max_latency_s": "fast"}, "column max_latency_s: got 'fast', expected a number"),
])
def test_parameters_are_typed_by_their_declaration(run_dir, param, message):
    with pytest.raises(InputError) as err:
        database.run_query("shortlist", run_dir, param)
    assert message in str(err.value)


def test_a_numeric_looking_name_stays_a_name(run_dir):
    """model=123 is the model named "123" (no row), not the integer 123 compared with a text column."""
    assert database.run_query("shortlist", run_dir, {"model": "123"}).height == 0
    assert database.run_query("shortlist", run_dir, {"model": "ResNet-50", "top": "1e0"}).height == 1
