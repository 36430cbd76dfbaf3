"""A study's keys view (``<study>_keys``, ``pipeline.runs.views.keys_source``): each row of the study view with its key
axes alone, read from the fact parts (and the model table for the keys they leave out), never the hardware table; what
fits reads for the run's longest context. Serving's memory view (``serving_memory``, ``views.memory_source``): each row
with its key axes and memory terms alone, the query-time levels those need only; what fits reads its rows from. A run
written before a view reads it over the study view."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

import pipeline
from pipeline.runs import database
from pipeline.runs.typed import KEY_AXES
from pipeline.runs.views import keys_over_view, keys_view, memory_columns, memory_source, view_source

from tests.runs.test_duckdb11 import duckdb11_python, read_with

SERVING = {"model": ["Llama 3.1 8B", "Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB", "L4"], "tp": [1, 2],
           "batch": [1, 8], "prompt_len": [512, 2048], "output_len": [128, 256], "precision": ["bf16"]}
SPECS = {
    "serving": {"study": "serving", "axes": SERVING},
    # one output_len: the parts leave it out (narrow.minimal_keys), the keys view reads it from the model table
    "serving-one-length": {"study": "serving", "axes": SERVING | {"output_len": [256]}},
    "node": {"axes": {"hardware": ["A100 SXM4 80GB", "T4"], "model": ["ResNet-50", "Llama 2 7B"], "batch": [1, 8],
                      "seq_len": [384, 2048], "workload": ["inference", "training"]}},
    "training": {"study": "training", "axes": {"model": ["Llama 3 8B"], "gpus": [8, 16], "tp": [1, 2, 4],
                                               "pp": [1, 2], "global_batch": [256]}},
}


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp("keys")
    return {name: pipeline.run_sweep(spec, base / name) for name, spec in SPECS.items()}


def _study(run) -> str:
    return json.loads((run / "manifest.json").read_text())["study"]


def _nodes(plan: dict, name: str) -> list[dict]:
    found = [plan] if plan["name"] == name else []
    return found + [n for child in plan.get("children", []) for n in _nodes(child, name)]


def _plan(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> dict:
    for key, value in (params or {}).items():
        sql = sql.replace(f"${key}", repr(value))
    return json.loads(con.sql(f"explain (format json) {sql}").fetchall()[0][1])[0]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_keys_view_holds_the_study_views_key_columns_and_rows(run_dirs, name):
    run = run_dirs[name]
    study = _study(run)
    con = database.connect(run)
    try:
        keys = con.sql(f"select * from {keys_view(study)}")
        over = con.sql(keys_over_view(study))
        assert keys.columns == over.columns == [c for c in con.sql(f"select * from {study}").columns
                                                if c in KEY_AXES[study]]
        assert keys.types == over.types
        rows = con.sql(f"select count(*) from {study}").fetchall()[0][0]
        assert rows > 0 and keys.aggregate("count(*)").fetchall()[0][0] == rows
        differ = con.sql(f"select count(*) from ((select * from {keys_view(study)} except all {keys_over_view(study)})"
                         f" union all ({keys_over_view(study)} except all select * from {keys_view(study)}))")
        assert differ.fetchall()[0][0] == 0
        comment = con.sql("select comment from duckdb_views() where view_name = ?", params=[keys_view(study)])
        assert "key axes" in comment.fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize("name", ["serving", "serving-one-length"])
def test_the_longest_context_reads_the_fact_parts_not_the_hardware_table(run_dirs, name):
    """fits' subquery over the study view kept its hardware join over every fact row (DuckDB drops the top join of a
    chain only): over the keys view it reads the parts alone, or with the model table when a length lives there."""
    run = run_dirs[name]
    con = database.connect(run)
    try:
        plan = _plan(con, database.query_path("fits").read_text(), {"model": "any", "batch": 1, "context_tokens": 0})
        longest = _nodes(plan, "WINDOW")  # the pairs at the longest context: max(prompt_len + output_len) over ()
        assert len(longest) == 1 and "max(" in str(longest[0]["extra_info"])
        scans = _nodes(longest[0], "READ_PARQUET")
        joins = _nodes(longest[0], "HASH_JOIN")
        assert len(scans) == 1 + len(joins) and len(joins) == (name == "serving-one-length")
        # the model table alone is joined: a Parquet scan of every part and of one dimension table, not two
        assert len(scans) <= 2
    finally:
        con.close()


def test_a_run_written_before_the_keys_view_answers_fits_as_before(run_dirs, tmp_path):
    """Its database has no keys view: a query's connection defines it over the study view (``database.confined``)."""
    run = tmp_path / run_dirs["serving-one-length"].name
    shutil.copytree(run_dirs["serving-one-length"], run)
    expected = database.run_query("fits", run)
    con = duckdb.connect(str(run / database.DATABASE))
    con.execute("drop view serving_keys")
    con.close()
    assert database.run_query("fits", run).equals(expected) and expected.height > 0
    con = database.connect(run)
    try:  # the database itself is left as it was
        assert con.sql("select count(*) from duckdb_views() where view_name = 'serving_keys'").fetchall() == [(0,)]
    finally:
        con.close()


@pytest.mark.parametrize("name", ["serving", "serving-one-length"])
def test_the_memory_view_holds_the_study_views_key_and_memory_columns_and_rows(run_dirs, name):
    run = run_dirs[name]
    con = database.connect(run)
    try:
        memory = con.sql("select * from serving_memory")
        columns = [c for c in con.sql("select * from serving").columns if c in memory_columns("serving")]
        assert memory.columns == columns and {"memory_headroom_bytes", "prompt_len", "tp"} <= set(columns)
        over = con.sql(f"select {', '.join(columns)} from serving")
        assert memory.types == over.types
        rows = con.sql("select count(*) from serving").fetchall()[0][0]
        assert rows > 0 and memory.aggregate("count(*)").fetchall()[0][0] == rows
        select = f"select {', '.join(columns)} from serving"
        differ = con.sql(f"select count(*) from ((select * from serving_memory except all {select}) "
                         f"union all ({select} except all select * from serving_memory))")
        assert differ.fetchall()[0][0] == 0
        comment = con.sql("select comment from duckdb_views() where view_name = 'serving_memory'")
        assert "memory terms" in comment.fetchall()[0][0]
    finally:
        con.close()


def test_the_memory_views_select_computes_only_the_query_time_columns_its_terms_need(run_dirs):
    """Its SELECT is the study view's join with fewer query-time levels: no throughput, latency or launch column."""
    run = run_dirs["serving"]
    memory, whole = memory_source(run, "", "serving"), view_source(run, "", "serving")
    assert '"memory_headroom_bytes"' in memory and '"kv_held_tokens"' in memory
    assert '"tokens_per_s"' in whole and '"tokens_per_s"' not in memory and '"launch_overhead_s"' not in memory
    assert memory.count("SELECT *, ") < whole.count("SELECT *, ") and len(memory) < len(whole) / 3


def test_a_run_written_before_the_memory_view_answers_fits_as_before(run_dirs, tmp_path):
    """Its database has no memory view (nor keys view): a query's connection defines them over the study view."""
    run = tmp_path / run_dirs["serving"].name
    shutil.copytree(run_dirs["serving"], run)
    expected = database.run_query("fits", run)
    for dropped in (["serving_memory"], ["serving_keys"]):
        con = duckdb.connect(str(run / database.DATABASE))
        for view in dropped:
            con.execute(f"drop view {view}")
        con.close()
        assert database.run_query("fits", run).equals(expected) and expected.height > 0
    con = database.connect(run)
    try:  # the database itself is left as it was
        assert con.sql("select count(*) from duckdb_views() where view_name in ('serving_memory', 'serving_keys')"
                       ).fetchall() == [(0,)]
    finally:
        con.close()


# Run by the DuckDB 1.1 interpreter: argv = [run folder, fits' SQL]
READER = r"""
import json, sys
import duckdb
run, sql = sys.argv[1], sys.argv[2]
con = duckdb.connect(run + "/results.duckdb", read_only=True)
con.execute("SET file_search_path = ?", [run])
keys = con.sql("select * from serving_keys order by all").fetchall()
memory = con.sql("select * from serving_memory order by all").fetchall()
fits = con.execute(sql, {"model": "any", "batch": 1, "context_tokens": 0}).fetchall()
print(json.dumps({"version": duckdb.__version__, "keys": [list(r) for r in keys], "memory": [list(r) for r in memory],
                  "fits": [list(r) for r in fits]}))
"""


def test_a_duckdb_1_1_client_reads_the_keys_and_memory_views_and_runs_fits(run_dirs):
    """The keys view (the parts joined with the model table), the memory view and fits over them in DuckDB 1.1.3, as
    here (``tests.runs.test_duckdb11``'s environment; skipped without one)."""
    python = duckdb11_python()
    if python is None:
        pytest.skip("no DuckDB 1.1.x environment (tests/runs/test_duckdb11.py says how to build one)")
    run = run_dirs["serving-one-length"]
    sql = database.query_path("fits").read_text()
    found = read_with(python, READER, [str(run), sql])
    assert found["version"].startswith("1.1.")
    con = database.connect(run)
    try:
        keys = [list(r) for r in con.sql("select * from serving_keys order by all").fetchall()]
        memory = [list(r) for r in con.sql("select * from serving_memory order by all").fetchall()]
    finally:
        con.close()
    assert found["keys"] == keys and len(keys) > 0 and found["memory"] == memory and len(memory) == len(keys)
    assert found["fits"] == [list(r) for r in database.run_query("fits", run).rows()] and found["fits"]
