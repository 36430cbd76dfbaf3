"""run(): the run directory's layout, atomic writes, names, empty runs and Parquet dtypes."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

import pipeline
from pipeline.catalogs.schemas import CATALOGS
from pipeline import runs
from pipeline.runs import atomic, database, narrow, partitions, sizing, write
from pipeline.catalogs.load import load_catalogs
from pipeline.runs.typed import text_enums, written_dtypes
from pipeline.studies import node, schema_columns

REPO = Path(__file__).resolve().parents[2]
CATALOG_TABLES = tuple(CATALOGS)  # hardware, models, ..., clusters, regions, accelerator_costs, cloud_prices
DROP_NO_PEAK = "hardware has no published dense peak for compute_dtype"
WRITTEN_NODE = {"config_id": "Int64", "run_id": "Categorical"} | written_dtypes(
    "node", {name: spec["dtype"] for name, spec in schema_columns(node.SCHEMA).items()})
ENUMS = text_enums(load_catalogs(), "node")  # the fact table's text columns written as Enums
RUN_DIR_NAME = re.compile(r"^(\d{8}T\d{6}Z)-[0-9a-f]{8}$")


def parts(run_dir: Path) -> list[Path]:
    """The run's Parquet parts; a run has at least one (issue 11: a loop over none checked nothing)."""
    found = partitions.part_files(run_dir, "node")
    assert found, f"no Parquet part in {run_dir / 'study=node'}"
    return found


def assert_written_dtypes(run_dir: Path) -> None:
    """The view's columns (fact and dimension tables joined) have the schema's dtypes in its order;
    each file holds schema columns at those dtypes, a fact value Float32 where
    the schema says Float64 (``pipeline.runs.narrow``)."""
    assert {k: str(v) for k, v in runs.scan_run(run_dir).collect_schema().items()} == WRITTEN_NODE
    files = [*parts(run_dir), *sorted((run_dir / narrow.DIMENSIONS).glob("node-*.parquet"))]
    for file in files:
        for column, dtype in pl.read_parquet_schema(file).items():
            if column not in WRITTEN_NODE and column != narrow.ID_TERMS:  # an input of the query-time columns
                assert file.parent.name == narrow.DIMENSIONS and column not in node.QUERY_TIME, (file.name, column)
                continue
            expected = "UInt64" if column == narrow.ID_TERMS else WRITTEN_NODE[column]
            stored = "Float32" if expected == "Float64" and file.parent.name != narrow.DIMENSIONS else expected
            if column in ENUMS and file.parent.name != narrow.DIMENSIONS:  # a fact text column of fixed categories
                stored = str(ENUMS[column])
            assert str(dtype) == stored, (file.name, column)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file (hidden ones too) under ``directory``, relative path -> bytes."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- layout

def test_run_directory_layout(tmp_path, small_spec):
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    after = datetime.datetime.now(datetime.UTC)

    assert run_dir.parent == tmp_path / "out"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [run_dir.name]
    m = RUN_DIR_NAME.match(run_dir.name)
    assert m, run_dir.name
    stamp = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert before <= stamp <= after
    assert sorted(p.name for p in run_dir.iterdir()) == ["catalogs", "dimensions", "manifest.json", "results.duckdb",
                                                          "study=node"]
    assert sorted(p.name for p in (run_dir / "dimensions").iterdir()) == ["node-hardware.parquet", "node-model.parquet"]
    found = parts(run_dir)  # study=node/hardware=<percent-encoded name>/part-NNNNN.parquet, one folder per accelerator
    hardware = sorted(partitions.scan_parts(run_dir, "node").collect()["hardware"].unique().to_list())
    assert sorted(p.name for p in (run_dir / "study=node").iterdir()) == [
        "hardware=" + h.replace(" ", "%20") for h in hardware]
    assert all(re.fullmatch(r"part-\d{5}\.parquet", p.name) for p in found)
    for p in found:  # a part does not hold its accelerator, its folder names it (the standard Hive layout)
        assert "hardware" not in pl.read_parquet_schema(p)
        assert pl.read_parquet(p, hive_partitioning=True, hive_schema={"study": pl.String, "hardware": pl.String})[
            "hardware"].unique().to_list() == [p.parent.name.split("=")[1].replace("%20", " ")]
    assert sorted(p.name for p in (run_dir / "catalogs").iterdir()) == sorted(f"{t}.parquet" for t in CATALOG_TABLES)
    for table in CATALOG_TABLES:  # the run keeps byte-identical copies of the catalogs it used
        assert (run_dir / "catalogs" / f"{table}.parquet").read_bytes() == \
            (REPO / "registry_data" / f"{table}.parquet").read_bytes()


# ---------------------------------------------------------------- atomicity

def _boom(*_a, **_k):
    raise RuntimeError("injected failure")


def _fail_second_sink(monkeypatch, exc):
    original = pl.LazyFrame.sink_parquet
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(args)
        if len(calls) >= 2:
            raise exc
        return original(self, *args, **kwargs)

    real_chunks = sizing.chunks
    monkeypatch.setattr(sizing, "chunks", lambda space, target_rows=None, hardware_side=None: real_chunks(
        space, 10, hardware_side))
    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", flaky)


FAILURES = {
    "create_database": lambda mp: mp.setattr(database, "create_database", _boom),
    "write_catalogs": lambda mp: mp.setattr(write, "write_catalogs", _boom),
    "sink_parquet_mid_run": lambda mp: _fail_second_sink(mp, RuntimeError("injected failure")),
    "keyboard_interrupt_mid_run": lambda mp: _fail_second_sink(mp, KeyboardInterrupt()),
    "final_rename": lambda mp: mp.setattr(atomic.os, "rename", _boom),
}


@pytest.mark.parametrize("where", list(FAILURES))
def test_failed_run_leaves_nothing_and_keeps_previous_run(tmp_path, small_spec, monkeypatch, where):
    out = tmp_path / "out"
    previous = pipeline.run_sweep(small_spec, out)
    before = snapshot(out)

    FAILURES[where](monkeypatch)
    expected = KeyboardInterrupt if where == "keyboard_interrupt_mid_run" else RuntimeError
    with pytest.raises(expected):
        pipeline.run_sweep(small_spec, out)
    monkeypatch.undo()

    assert [p.name for p in out.iterdir()] == [previous.name]  # no new run, no .incomplete-* dir
    assert snapshot(out) == before
    assert database.resolve_run(None, out) == previous


def test_failed_first_run_leaves_no_directory(tmp_path, small_spec, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(database, "create_database", _boom)
    with pytest.raises(RuntimeError):
        pipeline.run_sweep(small_spec, out)
    assert list(out.iterdir()) == []
    assert database.runs(out) == []


# ---------------------------------------------------------------- names

def test_same_spec_twice_in_one_second_gets_a_suffix(tmp_path, small_spec, monkeypatch, freeze_clock):
    out = tmp_path / "out"
    freeze_clock(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    first = pipeline.run_sweep(small_spec, out)
    second = pipeline.run_sweep(small_spec, out)
    assert second.name == first.name + "-1"
    assert database.resolve_run(None, out) == second



def test_sweep_with_every_row_dropped_is_an_empty_queryable_run(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB"], "model": ["ResNet-50"], "compute_dtype": ["fp8"],
                     "batch": [1, 2]}}
    run_dir = pipeline.run_sweep(spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["rows"]["node"] == 0
    assert manifest["dropped"] == {DROP_NO_PEAK: 2}
    assert parts(run_dir) == [run_dir / "study=node" / "hardware=__HIVE_DEFAULT_PARTITION__" / "part-00000.parquet"]
    assert pl.read_parquet(parts(run_dir)[0]).height == 0
    assert_written_dtypes(run_dir)
    con = database.connect(run_dir)
    try:
        assert con.sql("select count(*) from node").fetchall()[0][0] == 0
    finally:
        con.close()
    assert pipeline.query("bottlenecks", run=run_dir).height == 0


# ---------------------------------------------------------------- output schema

def test_parquet_dtypes_match_the_schema(tmp_path, small_spec):
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    assert list(WRITTEN_NODE) == ["config_id", "run_id", *node.OUTPUTS]
    assert_written_dtypes(run_dir)


def test_parquet_dtypes_for_a_cnn_only_sweep(tmp_path):
    # seq_len is null on every row: it must still be written as Int64, not Null.
    run_dir = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"]}}, tmp_path / "out")
    assert_written_dtypes(run_dir)


def test_database_is_built_while_later_parts_are_written(tmp_path, small_spec, monkeypatch):
    """results.duckdb is built on a thread once the first chunk's parts are written (issue 15, nodewall); the view it
    holds is the one a database built after the last part holds, and no part is left under its temporary name."""
    real_chunks, real_create = sizing.chunks, database.create_database
    monkeypatch.setattr(sizing, "chunks", lambda space, target_rows=None, hardware_side=None: real_chunks(
        space, 10, hardware_side))
    seen = []

    def create(run_dir, views, tables, name=database.DATABASE):
        seen.append(len(partitions.part_files(run_dir, "node")))
        real_create(run_dir, views, tables, name)

    monkeypatch.setattr(database, "create_database", create)
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    monkeypatch.undo()
    assert 0 < seen[0] < len(parts(run_dir)), seen  # built before the last part was written
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".partial")]
    database.create_database(run_dir, database.run_views(run_dir, "node", CATALOG_TABLES), {}, name="after.duckdb")
    columns = "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = 'node' ORDER BY 1"
    early, late = database.connect(run_dir), duckdb.connect(str(run_dir / "after.duckdb"))
    late.execute("SET file_search_path = ?", [str(run_dir)])
    assert early.execute(columns).fetchall() == late.execute(columns).fetchall()
    count = "SELECT count(*) FROM node"
    assert early.execute(count).fetchone() == late.execute(count).fetchone() == (runs.scan_run(run_dir).select(
        pl.len()).collect().item(),)
