"""results.duckdb: views and column dictionary, relocatable runs, and the named SQL queries."""

from __future__ import annotations

import datetime
import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

import pipeline
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError
from pipeline import runs
from pipeline.runs import database, narrow
from pipeline.spec import parse_spec
from pipeline.studies import node, schema_columns

CATALOG_TABLES = tuple(CATALOGS)  # hardware, models, ..., clusters, regions, accelerator_costs, cloud_prices
GROUP = ["model", "workload", "step", "batch", "seq_len"]
# a results.duckdb's keys, memory and lengths views (``views.column_views``) over a hand-built study table: what fits
# reads
KEYS_OF_TABLE = ("create view {study}_keys as select prompt_len, output_len from {study}; "
                 "create view {study}_memory as select * from {study}; "
                 "create view {study}_lengths as select distinct prompt_len, output_len from {study}")


@pytest.fixture
def run_dir(tmp_path, small_spec):
    return pipeline.run_sweep(small_spec, tmp_path / "out")


@pytest.fixture
def frame(small_spec):
    """The sweep in memory with the values a run stores (Float32 where the fact table stores them)."""
    return narrow.stored(pipeline.sweep(small_spec), runs.prepare(parse_spec(small_spec)))


def _manifest(run_dir):
    return json.loads((run_dir / "manifest.json").read_text())


# ---------------------------------------------------------------- 3. views and column dictionary

def test_views_and_column_dictionary(run_dir):
    manifest = _manifest(run_dir)
    con = database.connect(run_dir)
    try:
        views = {r[0] for r in con.sql("select view_name from duckdb_views() where not internal").fetchall()}
        assert {"node", *CATALOG_TABLES} <= views
        tables = {r[0] for r in con.sql("select table_name from duckdb_tables()").fetchall()}
        assert "column_dictionary" in tables
        assert con.sql("select count(*) from node").fetchall()[0][0] == manifest["rows"]["node"]
        for table in CATALOG_TABLES:
            n = con.sql(f"select count(*) from {table}").fetchall()[0][0]
            assert n == manifest["catalogs"][table]["rows"] == pl.read_parquet(
                run_dir / "catalogs" / f"{table}.parquet").height
        node_columns = [r[0] for r in con.sql("describe node").fetchall()]
        assert node_columns == ["config_id", "run_id", *node.OUTPUTS]
        cd = con.sql("select * from column_dictionary where study = 'node'").pl()
        comments = dict(con.sql("select column_name, comment from duckdb_columns() where table_name = 'node'")
                        .fetchall())
    finally:
        con.close()

    assert {"column_name", "unit", "description", "source"} <= set(cd.columns)
    assert cd["column_name"].to_list() == node_columns  # one row per output column, in order
    assert comments["latency_s"] == cd.filter(pl.col("column_name") == "latency_s")["description"].item() + " [s]"
    assert comments["model"] == cd.filter(pl.col("column_name") == "model")["description"].item()  # no unit
    declared = schema_columns(node.SCHEMA)
    for row in cd.iter_rows(named=True):
        if row["column_name"] in ("config_id", "run_id"):
            assert row["unit"] is None and row["description"] and row["dtype"] in ("Int64", "Categorical")
            continue
        spec = declared[row["column_name"]]
        assert row["unit"] == spec["unit"], row["column_name"]
        assert row["description"] and row["description"] == spec["description"]
        assert row["source"] and row["source"] == spec["source"]
        numeric = spec["dtype"] in ("Int64", "Float64")
        assert (row["unit"] is not None) == numeric, row["column_name"]
        # the manifest records the same unit the dictionary documents
        assert manifest["columns"][row["column_name"]] == row["unit"]


def test_moved_and_renamed_run_still_opens(tmp_path, small_spec, monkeypatch):
    out = tmp_path / "out"
    run_dir = pipeline.run_sweep(small_spec, out)
    rows = _manifest(run_dir)["rows"]["node"]
    # A second, different run: standing in it must not leak its Parquet files into the moved run.
    decoy = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}, tmp_path / "decoy")
    decoy_rows = _manifest(decoy)["rows"]["node"]
    assert decoy_rows != rows

    new_parent = tmp_path / "archive" / "deeper"
    new_parent.mkdir(parents=True)
    moved = new_parent / "renamed run"
    shutil.move(str(run_dir), str(moved))
    assert not run_dir.exists()

    for cwd in (tmp_path / "somewhere", decoy, out):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        con = database.connect(moved)
        try:
            assert con.sql("select count(*) from node").fetchall()[0][0] == rows
            assert con.sql("select count(*) from hardware").fetchall()[0][0] == _manifest(moved)["catalogs"][
                "hardware"]["rows"]
            assert con.sql("select count(*) from column_dictionary where study = 'node'").fetchall()[0][0] == len(
                node.OUTPUTS) + 2  # config_id, run_id
        finally:
            con.close()

    monkeypatch.chdir(new_parent)  # a relative path works as well
    con = database.connect("renamed run")
    try:
        assert con.sql("select count(*) from node").fetchall()[0][0] == rows
    finally:
        con.close()

    monkeypatch.chdir(tmp_path / "somewhere")
    result = pipeline.query("bottlenecks", run=moved)
    assert result.height > 0
    assert result["configurations"].sum() == rows


# ---------------------------------------------------------------- 4. design_space_map

def _key(row):
    return tuple(row[c] for c in GROUP)


def test_design_space_map(run_dir, frame):
    result = pipeline.query("design_space_map", run=run_dir)
    trains = ["fp32", "tf32", "fp16", "bf16", "fp8", "fp4"]  # the query's list (sql/design_space_map.sql)
    feasible = frame.filter(pl.col("is_feasible"), (pl.col("workload") != "training")
                            | pl.col("compute_dtype").cast(pl.String).is_in(trains))
    groups: dict[tuple, list[dict]] = {}
    for row in feasible.iter_rows(named=True):
        groups.setdefault(_key(row), []).append(row)

    keys = [_key(r) for r in result.iter_rows(named=True)]
    assert len(keys) == len(set(keys)) == result.height  # one row per group
    assert set(keys) == set(groups)
    assert result.height < frame.height  # it really aggregates

    for row in result.iter_rows(named=True):
        members = groups[_key(row)]
        assert row["feasible_configurations"] == len(members)
        fastest = min(m["latency_s"] for m in members)
        assert row["fastest_latency_s"] == pytest.approx(fastest, rel=1e-12)
        picked = [m for m in members if m["hardware"] == row["fastest_hardware"]
                  and m["compute_dtype"] == row["fastest_compute_dtype"]]
        assert len(picked) == 1
        assert picked[0]["latency_s"] == pytest.approx(fastest, rel=1e-12)
        assert picked[0]["bound"] == row["fastest_bound"]
        # a tie goes to the first hardware, then precision, by name (the query's documented tie-break)
        tied = [(m["hardware"], m["compute_dtype"]) for m in members if m["latency_s"] == fastest]
        assert (row["fastest_hardware"], row["fastest_compute_dtype"]) == min(tied)
        best = max(m["samples_per_j"] for m in members)
        tied = [(m["hardware"], m["compute_dtype"]) for m in members if m["samples_per_j"] == best]
        assert (row["efficient_hardware"], row["efficient_compute_dtype"]) == min(tied)
        chosen = [m for m in members if m["hardware"] == row["efficient_hardware"]
                  and m["compute_dtype"] == row["efficient_compute_dtype"]]
        assert len(chosen) == 1 and chosen[0]["samples_per_j"] == pytest.approx(best, rel=1e-12)


def test_only_a_query_naming_a_keys_or_memory_view_checks_for_one(run_dir, monkeypatch):
    """A query's connection looks for the run's keys and memory views (a catalog query) only when its SQL names one:
    the map reads node alone and skips it, fits (serving_keys, serving_memory) keeps it."""
    checked = []
    monkeypatch.setattr(database, "keys_before", lambda con, run: checked.append(run))
    assert database.run_query("design_space_map", run_dir).height > 0 and checked == []
    assert database.names_keys_view(database.query_path("fits").read_text())
    assert database.names_keys_view("select * from NODE_KEYS") and not database.names_keys_view(
        "select * from node")
    assert database.names_keys_view("select * from Serving_Memory") and not database.names_keys_view(
        "select * from serving")


def test_design_space_map_breaks_a_tie_by_name_whatever_the_row_order():
    """Two accelerators at exactly the same latency and samples per joule (GB200 and GB300 NVL72 tie in the default
    sweep): the answer names the first by name, GB200, whichever row DuckDB meets first."""
    sql = (Path(pipeline.__file__).parent.parent / "sql" / "design_space_map.sql").read_text()
    rows = [("GB300 NVL72", "fp8", 1e-3, 5.0, "memory"), ("GB200 NVL72", "fp8", 1e-3, 5.0, "memory"),
            ("H100", "fp8", 2e-3, 9.0, "compute")]
    for order in (rows, rows[::-1]):
        con = duckdb.connect()
        con.execute("create table node (model varchar, workload varchar, step varchar, batch bigint, seq_len bigint, "
                    "is_feasible boolean, hardware varchar, compute_dtype varchar, latency_s double, "
                    "samples_per_j double, bound varchar)")
        con.executemany("insert into node values ('m', 'inference', 'forward', 1, 128, true, ?, ?, ?, ?, ?)", order)
        (fastest, efficient), = con.execute(f"select fastest_hardware, efficient_hardware from ({sql})").fetchall()
        assert (fastest, efficient) == ("GB200 NVL72", "H100")



def test_fits_breaks_a_tie_on_devices_by_the_smaller_tp_whatever_the_row_order():
    """tp 4 x pp 2 and tp 8 x pp 1 both hold the model on 8 devices (the serving bench's H20 rows): the answer is
    tp 4 with that layout's memory breakdown, whichever row DuckDB meets first (arg_min on devices took either)."""
    sql = (Path(pipeline.__file__).parent.parent / "sql" / "fits.sql").read_text()
    rows = [(8, 1, 8.0, 4e10, 1e9, 2e9), (4, 2, 8.0, 5e10, 2e9, 1e9), (1, 1, 1.0, 3e11, 1e9, -1e9)]
    for order in (rows, rows[::-1]):
        con = duckdb.connect()
        con.execute("create table serving (model varchar, hardware varchar, weight_dtype varchar, kv_dtype varchar, "
                    "prompt_len bigint, output_len bigint, batch bigint, fits_in_hbm boolean, tp bigint, pp bigint, "
                    "ep bigint, devices_per_replica double, weights_per_device_bytes double, "
                    "kv_cache_bytes_per_device double, memory_headroom_bytes double)")
        con.executemany("insert into serving values ('m', 'H20', 'bf16', 'bf16', 4096, 512, 1, ?, ?, ?, 1, ?, ?, ?, ?)",
                        [(r[5] > 0, *r) for r in order])  # fits: headroom > 0
        con.execute(KEYS_OF_TABLE.format(study="serving"))
        got = con.execute(sql, {"model": "any", "context_tokens": 0, "batch": 1}).fetchall()
        assert got == [("m", "H20", "bf16", "bf16", 4608, 8.0, 4, 2, 1, 5e10, 2e9, 1e9)]


@pytest.mark.parametrize(("query", "view"), [("fits", "serving_memory"), ("fastest_layouts", "training")])
def test_a_bench_query_names_its_study_view_once(query, view):
    """DuckDB binds a view's SELECT at each `from <view>` (serving's is ~90 kB): fits (over serving's memory view)
    and fastest_layouts read theirs once, in a not-materialized CTE whose uses are inlined (CHANGELOG queries)."""
    sql = (Path(pipeline.__file__).parent.parent / "sql" / f"{query}.sql").read_text()
    assert len(re.findall(rf"\bfrom {view}\b", re.sub(r"--[^\n]*", "", sql))) == 1  # comments aside


def test_fits_takes_the_longest_context_of_every_row_and_fastest_layouts_the_most_feasible_gpus():
    """The defaults read the whole view, not the filtered rows: a longer context only at batch 8 leaves fits at batch 1
    nothing to show; 64 GPUs that never fit do not count, 16 that fit do."""
    sql = {q: (Path(pipeline.__file__).parent.parent / "sql" / f"{q}.sql").read_text()
           for q in ("fits", "fastest_layouts")}
    con = duckdb.connect()
    con.execute("create table serving (model varchar, hardware varchar, weight_dtype varchar, kv_dtype varchar, "
                "prompt_len bigint, output_len bigint, batch bigint, fits_in_hbm boolean, tp bigint, pp bigint, "
                "ep bigint, devices_per_replica double, weights_per_device_bytes double, "
                "kv_cache_bytes_per_device double, memory_headroom_bytes double)")
    con.execute("insert into serving values ('m', 'H20', 'bf16', 'bf16', 4096, 512, 1, true, 1, 1, 1, 1, 1, 1, 1), "
                "('m', 'H20', 'bf16', 'bf16', 8192, 512, 8, true, 1, 1, 1, 1, 1, 1, 1)")
    con.execute(KEYS_OF_TABLE.format(study="serving"))
    assert con.execute(sql["fits"], {"model": "any", "context_tokens": 0, "batch": 1}).fetchall() == []
    assert len(con.execute(sql["fits"], {"model": "any", "context_tokens": 4608, "batch": 1}).fetchall()) == 1
    con.execute("create table training (model varchar, cluster varchar, gpus bigint, compute_dtype varchar, dp bigint, "
                "tp bigint, pp bigint, virtual_stages bigint, microbatch bigint, zero_stage bigint, recompute varchar, "
                "step_time_s double, mfu double, bound varchar, is_feasible boolean)")
    con.execute("insert into training values "
                "('m', 'c', 64, 'bf16', 64, 1, 1, 1, 1, 0, 'none', 1, 0.5, 'compute', false), "
                "('m', 'c', 16, 'bf16', 16, 1, 1, 1, 1, 0, 'none', 2, 0.4, 'compute', true), "
                "('m', 'c', 8, 'bf16', 8, 1, 1, 1, 1, 0, 'none', 3, 0.3, 'compute', true)")
    assert [r[2] for r in con.execute(sql["fastest_layouts"]).fetchall()] == [16]


# ---------------------------------------------------------------- 4. shortlist

def _candidates(frame, model, workload="inference"):
    return frame.filter(pl.col("model") == model, pl.col("workload") == workload, pl.col("is_feasible"),
                        pl.col("memory_headroom_bytes") >= 0).sort("latency_s")


def test_shortlist_constraint_top_and_order(run_dir, frame):
    cands = _candidates(frame, "Llama 2 7B")
    assert cands.height > 8
    limit = cands["latency_s"][cands.height // 2]
    expected = cands.filter(pl.col("latency_s") <= limit)

    result = pipeline.query("shortlist", run=run_dir, model="Llama 2 7B", max_latency_s=repr(limit), top=4)
    assert result.height == min(4, expected.height) == 4
    assert result["rank"].to_list() == [1, 2, 3, 4]
    latencies = result["latency_s"].to_list()
    assert all(x <= limit for x in latencies)
    assert latencies == sorted(latencies)
    assert latencies == pytest.approx(expected["latency_s"].head(4).to_list(), rel=1e-12)

    tight = cands["latency_s"][1]  # only a couple of rows (ties included) meet it
    n_tight = cands.filter(pl.col("latency_s") <= tight).height
    result = pipeline.query("shortlist", run=run_dir, model="Llama 2 7B", max_latency_s=repr(tight), top=50)
    assert result.height == n_tight
    assert all(x <= tight for x in result["latency_s"])

    default = pipeline.query("shortlist", run=run_dir, model="Llama 2 7B")
    assert default.height == 5
    assert default["latency_s"].to_list() == pytest.approx(cands["latency_s"].head(5).to_list(), rel=1e-12)


def test_shortlist_step_filter(run_dir, frame):
    result = pipeline.query("shortlist", run=run_dir, model="Mixtral 8x7B", step="prefill", top=100)
    assert result.height == _candidates(frame, "Mixtral 8x7B").filter(pl.col("step") == "prefill").height
    assert set(result["step"]) == {"prefill"}


def test_shortlist_missing_required_parameter(run_dir):
    with pytest.raises(InputError) as err:
        pipeline.query("shortlist", run=run_dir)
    assert [p.column for p in err.value.problems] == ["model"]
    assert "model" in str(err.value) and "required" in str(err.value)


def test_shortlist_unknown_parameter(run_dir):
    with pytest.raises(InputError) as err:
        pipeline.query("shortlist", run=run_dir, model="Llama 2 7B", max_latncy_s=1)
    assert [p.column for p in err.value.problems] == ["max_latncy_s"]
    assert "max_latncy_s" in str(err.value)


def test_bottlenecks_rejects_parameters(run_dir):
    with pytest.raises(InputError, match="hardware"):
        pipeline.query("bottlenecks", run=run_dir, hardware="T4")


@pytest.mark.parametrize("params", [
    {"model": "x' or '1'='1"},
    {"model": "Llama 2 7B", "step": "any' or '1'='1"},
    {"model": "Llama 2 7B'; drop view node; --"},
])
def test_query_parameters_are_bound_not_formatted(run_dir, params):
    result = pipeline.query("shortlist", run=run_dir, **params)
    assert result.height == 0
    con = database.connect(run_dir)  # and nothing was executed as SQL
    try:
        assert con.sql("select count(*) from node").fetchall()[0][0] == _manifest(run_dir)["rows"]["node"]
    finally:
        con.close()


def test_unknown_query_name(run_dir):
    with pytest.raises(InputError, match="shortlst"):
        pipeline.query("shortlst", run=run_dir)


# ---------------------------------------------------------------- 4. bottlenecks

def test_bottlenecks(run_dir, frame):
    result = pipeline.query("bottlenecks", run=run_dir)
    expected = frame.group_by("hardware", "workload").agg(
        pl.len().alias("configurations"), pl.col("is_feasible").sum().alias("feasible"),
        (pl.col("bound") == "compute").sum().alias("compute"))
    expected = {(r["hardware"], r["workload"]): r for r in expected.iter_rows(named=True)}
    assert result.height == len(expected)
    shares = ["compute_bound_share", "memory_bound_share", "overhead_bound_share"]
    checked = 0
    for row in result.iter_rows(named=True):
        exp = expected[(row["hardware"], row["workload"])]
        assert row["configurations"] == exp["configurations"]
        assert row["feasible"] == exp["feasible"]
        assert row["infeasible_share"] == pytest.approx(1 - exp["feasible"] / exp["configurations"], abs=5e-4)
        if row["feasible"] > 0:
            assert sum(row[s] for s in shares) == pytest.approx(1.0, abs=2e-3)
            assert row["compute_bound_share"] == pytest.approx(exp["compute"] / exp["feasible"], abs=5e-4)
            checked += 1
        else:
            assert all(row[s] is None or math.isnan(row[s]) for s in shares)
    assert checked > 0


# -- the newest run

def test_resolve_run_returns_newest_complete_run(tmp_path, small_spec, monkeypatch, freeze_clock):
    out = tmp_path / "out"
    t0 = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    freeze_clock(t0)
    first = pipeline.run_sweep(small_spec, out)
    freeze_clock(t0 + datetime.timedelta(seconds=1))
    second = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}, out)
    assert first.name.startswith("20300102T030405Z-") and second.name.startswith("20300102T030406Z-")

    # Later-named leftovers that are not complete runs must be ignored.
    hidden = out / ".incomplete-20991231T235959Z-ffffffff-4242"
    (hidden / "node").mkdir(parents=True)
    (hidden / "manifest.json").write_text("{}")
    (out / "20991231T235959Z-eeeeeeee").mkdir()  # a run name without a manifest
    (out / "notes").mkdir()

    assert database.runs(out) == [first, second]
    assert database.resolve_run(None, out) == second
    assert database.resolve_run(first.name, out) == first
    assert database.resolve_run(str(first), tmp_path / "elsewhere") == first
    # an unknown id says what a run is, where to list them, and the closest (tryout: "table: unknown name")
    with pytest.raises(InputError) as raised:
        database.resolve_run(first.name[:-1] + "x", out)
    message = str(raised.value)
    assert "table" not in message and "mlsys runs list" in message and "lists 2" in message
    assert f"did you mean {first.name!r}" in message


def test_resolve_run_without_runs_is_an_input_error(tmp_path):
    (tmp_path / "out" / ".incomplete-20300102T030405Z-abcdef01-1").mkdir(parents=True)
    with pytest.raises(InputError, match="no complete run"):
        database.resolve_run(None, tmp_path / "out")


def test_newest_of_two_runs_in_one_second(tmp_path, small_spec, monkeypatch, freeze_clock):
    other = {"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}
    freeze_clock(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    for order, specs in (("ab", (small_spec, other)), ("ba", (other, small_spec))):
        out = tmp_path / order
        pipeline.run_sweep(specs[0], out)
        newest = pipeline.run_sweep(specs[1], out)
        assert database.resolve_run(None, out) == newest, order


def test_results_database_opens_in_duckdb_1_1_and_later(run_dir):
    """Issue 15: DuckDB 2.x writes storage version 69 by default, which DuckDB 1.x clients (BI
    drivers) refuse ("can only read 64-68"); the run's database is written at 1.1's (64). The
    header holds "DUCK" at byte 8 and the version number (uint64, little-endian) right after it."""
    header = (run_dir / "results.duckdb").read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert int.from_bytes(header[12:20], "little") == 64


def test_design_space_map_trains_only_at_training_precisions(tmp_path):
    """Issue 15: the default map picked int8 for training rows, a format that does not train."""
    run = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["A100 SXM4 80GB"],
                                       "compute_dtype": ["fp16", "int8"], "batch": [64],
                                       "workload": ["inference", "training"]}}, tmp_path / "out")
    picked = {r["workload"]: r["fastest_compute_dtype"]
              for r in pipeline.query("design_space_map", run=run).iter_rows(named=True)}
    assert picked == {"inference": "int8", "training": "fp16"}  # int8's peak is 2x fp16's on A100
