"""<out>/current (issue 15 item 2): published atomically, opens from any working directory, one
view per study; the run folders themselves stay relocatable; prune keeps what current reads."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

import pipeline
from pipeline.runs import database, history, publish

NODE = {"axes": {"model": ["ResNet-50"], "hardware": ["T4", "A10"]}}
SERVING = {"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "batch": [1, 4]}}


def _count(con, view):
    return con.sql(f"select count(*) from {view}").fetchall()[0][0]


def _rows(run):
    manifest = json.loads((run / "manifest.json").read_text())
    return manifest["rows"][manifest["study"]]


def test_current_opens_from_anywhere_and_keeps_each_study(tmp_path, monkeypatch):
    out = tmp_path / "out"
    node_run = pipeline.run_sweep(NODE, out, publish=True)
    first_version = os.readlink(out / "current")
    serving_run = pipeline.run_sweep(SERVING, out, publish=True)
    assert os.readlink(out / "current") != first_version  # a new version, swapped in
    assert [p.name for p in (out / ".current").iterdir() if p.is_dir()] == [os.path.basename(os.readlink(
        out / "current"))]  # the old version is gone

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # absolute paths: any working directory
    con = duckdb.connect(str(out / "current" / "results.duckdb"), read_only=True)
    try:
        assert _count(con, "node") == _rows(node_run) > 0
        assert _count(con, "serving") == _rows(serving_run) > 0
        assert _count(con, "hardware") == json.loads((serving_run / "manifest.json").read_text())[
            "catalogs"]["hardware"]["rows"]
        comment = con.sql("select comment from duckdb_columns() where table_name = 'serving' and "
                          "column_name = 'ttft_s'").fetchall()[0][0]
        assert comment.endswith("[s]")
        ids = con.sql("select distinct run_id from serving").fetchall()
    finally:
        con.close()
    assert ids == [(serving_run.name,)]
    # the Parquet glob a BI tool reads
    glob = str(out / "current" / "study=*" / "*" / "*.parquet")
    total = duckdb.sql(f"select count(*) from read_parquet('{glob}', union_by_name = true)").fetchall()[0][0]
    assert total == _rows(node_run) + _rows(serving_run)
    assert sorted(p.name for p in (out / "current" / "dimensions").iterdir()) == [  # their dimension tables
        f"{s}-{side}.parquet" for s in ("node", "serving") for side in ("hardware", "model")]
    assert set(history.list_runs(out).filter("current")["run_id"]) == {node_run.name, serving_run.name}


def test_a_moved_run_folder_still_opens_and_drops_out_of_current(tmp_path, monkeypatch):
    out = tmp_path / "out"
    node_run = pipeline.run_sweep(NODE, out, publish=True)
    serving_run = pipeline.run_sweep(SERVING, out, publish=True)
    moved = tmp_path / "archive" / "moved"
    moved.parent.mkdir()
    shutil.move(str(serving_run), str(moved))
    monkeypatch.chdir(tmp_path)
    con = database.connect(moved)  # relative views, as before
    try:
        assert _count(con, "serving") == _rows(moved)
    finally:
        con.close()
    publish.publish(node_run)  # republish: the moved run is no longer under current
    assert set(publish.published(out)) == {"node"}


def test_prune_keeps_the_runs_current_reads(tmp_path):
    out = tmp_path / "out"
    published_run = pipeline.run_sweep(NODE, out, publish=True)
    newer = [pipeline.run_sweep(NODE | {"axes": NODE["axes"] | {"batch": [b]}}, out) for b in (2, 4)]
    gone = history.prune(out, keep=1)
    assert gone == [newer[0]]
    assert published_run.exists() and newer[1].exists()
    con = duckdb.connect(str(out / "current" / "results.duckdb"), read_only=True)
    try:
        assert _count(con, "node") == _rows(published_run)
    finally:
        con.close()


def test_current_must_be_a_link(tmp_path):
    out = tmp_path / "out"
    run = pipeline.run_sweep(NODE, out)
    (out / "current").mkdir()  # someone's folder: never replaced
    with pytest.raises(OSError):
        publish.publish(run)
    assert (out / "current").is_dir() and not (out / "current").is_symlink()
