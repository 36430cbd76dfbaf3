"""A study's keys view (``<study>_keys``, ``pipeline.runs.views.keys_source``): each row of the study view with its key
axes alone, read from the fact parts (and the model table for the keys they leave out), never the hardware table: a
scan of the rows' axes. Serving's memory view (``serving_memory``, ``views.memory_source``): each row with its key axes
and memory terms alone, the query-time levels those need only; what fits reads its rows from.
Serving's lengths table (``serving_lengths``, ``runs.write.model_lengths``): the rows' distinct (prompt_len, output_len)
pairs, where fits finds the longest context. A run written before a view reads it over the study view."""

from __future__ import annotations

import json
import shutil

import duckdb
import polars as pl
import pytest

import pipeline
from pipeline import runs
from pipeline.runs import database, partitions, write
from pipeline.runs.publish import publish
from pipeline.spec import parse_spec
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
def test_the_longest_context_reads_the_lengths_table_not_the_rows(run_dirs, name):
    """fits' longest context over the study view kept its hardware join over every fact row (DuckDB drops the top join
    of a chain only), over the keys view it scanned every part: over the lengths table it reads no Parquet file."""
    run = run_dirs[name]
    con = database.connect(run)
    try:
        plan = _plan(con, database.query_path("fits").read_text(), {"model": "any", "batch": 1, "context_tokens": 0})
        longest = _nodes(plan, "WINDOW")  # the pairs at the longest context: max(prompt_len + output_len) over ()
        assert len(longest) == 1 and "max(" in str(longest[0]["extra_info"])
        assert not _nodes(longest[0], "READ_PARQUET") and not _nodes(longest[0], "HASH_JOIN")
        assert "serving_lengths" in json.dumps(longest[0])
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


def test_a_run_written_before_the_lengths_and_memory_views_answers_fits_as_before(run_dirs, tmp_path):
    """Its database has no lengths table, memory view or keys view: a query's connection defines them over the study
    view."""
    run = tmp_path / run_dirs["serving"].name
    shutil.copytree(run_dirs["serving"], run)
    expected = database.run_query("fits", run)
    for dropped in (["table serving_lengths"], ["view serving_memory"], ["view serving_keys"]):
        con = duckdb.connect(str(run / database.DATABASE))
        for view in dropped:
            con.execute(f"drop {view}")
        con.close()
        assert database.run_query("fits", run).equals(expected) and expected.height > 0
    con = database.connect(run)
    try:  # the database itself is left as it was
        assert con.sql("select count(*) from duckdb_views() where view_name in ('serving_memory', 'serving_keys') "
                       "union all select count(*) from duckdb_tables() where table_name = 'serving_lengths'"
                       ).fetchall() == [(0,), (0,)]
    finally:
        con.close()


def _lengths(run) -> tuple[list, list]:
    """The run's lengths table (its rows, and whether it is a table) beside the distinct pairs of its keys view."""
    con = database.connect(run)
    try:
        tables = [r[0] for r in con.sql("select table_name from duckdb_tables()").fetchall()]
        held = con.sql("select * from serving_lengths order by all").fetchall()
        pairs = con.sql("select distinct prompt_len, output_len from serving_keys order by all").fetchall()
    finally:
        con.close()
    assert "serving_lengths" in tables
    return held, pairs


@pytest.mark.parametrize("name", ["serving", "serving-one-length"])
def test_the_lengths_table_holds_the_rows_distinct_pairs(run_dirs, name):
    """The model side's pairs, every one held by a row (serving); or, where the parts leave a length out (one
    output_len: the writer cannot strike the pairs out), the pairs of every row, found after the last part."""
    held, pairs = _lengths(run_dirs[name])
    assert held == pairs and len(pairs) == (4 if name == "serving" else 2)


def test_a_model_side_pair_no_row_holds_is_not_in_the_lengths_table(tmp_path, monkeypatch):
    """A pair of the model side that no written row holds (here one added to the model side's, as a model-side row
    every accelerator drops would be): the table is the rows' pairs, so fits' default is still the rows' longest."""
    model_lengths = write.model_lengths

    def with_an_unheld_pair(prepared):
        tables, unseen = model_lengths(prepared)
        longest = pl.DataFrame({"prompt_len": [1_000_000], "output_len": [1_000_000]})
        unseen.pairs.add((1_000_000, 1_000_000))
        return {k: pl.concat([v, longest]) for k, v in tables.items()}, unseen

    monkeypatch.setattr(write, "model_lengths", with_an_unheld_pair)
    run = pipeline.run_sweep(SPECS["serving"], tmp_path / "out")
    held, pairs = _lengths(run)
    assert held == pairs and (1_000_000, 1_000_000) not in held and len(held) == 4
    assert set(database.run_query("fits", run)["context_tokens"]) == {2048 + 256}


def test_a_rerun_reusing_partitions_finds_the_pairs_of_every_row(run_dirs, tmp_path):
    """Its reused parts were not written by its writer, so their pairs are read from the rows."""
    prepared = runs.prepare(parse_spec(SPECS["serving"], "test"))
    again = runs.run(prepared, tmp_path / "again", reuse_from=run_dirs["serving"])
    assert json.loads((again / "manifest.json").read_text())["reused"]["recomputed"] == []
    held, pairs = _lengths(again)
    assert held == pairs and len(pairs) == 4


def test_the_writer_strikes_out_the_pairs_a_chunk_holds():
    unseen = partitions.Unseen(("prompt_len", "output_len"), {(512, 128), (512, 256), (2048, 128)})
    unseen.strike(pl.DataFrame({"prompt_len": [512, 512, 4096], "output_len": [128, 128, 128], "x": [1, 2, 3]}))
    assert unseen.pairs == {(512, 256), (2048, 128)}
    unseen.strike(pl.DataFrame({"prompt_len": [512, 2048]}))  # a length left out of the parts: nothing struck
    assert unseen.pairs == {(512, 256), (2048, 128)}


def test_a_published_database_reads_the_lengths_of_every_row(run_dirs, tmp_path):
    """``<out>/current`` holds no lengths table: its view reads the pairs of every row, and fits answers as on the
    run's own database."""
    run = tmp_path / "out" / run_dirs["serving"].name
    shutil.copytree(run_dirs["serving"], run)
    current = publish(run, tmp_path / "out")
    con = duckdb.connect(str(current / database.DATABASE), read_only=True)
    try:
        assert con.sql("select count(*) from duckdb_views() where view_name = 'serving_lengths'").fetchall() == [(1,)]
        rows = con.execute(database.query_path("fits").read_text(),
                           {"model": "any", "batch": 1, "context_tokens": 0}).fetchall()
    finally:
        con.close()
    assert rows == database.run_query("fits", run).rows() and rows


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
