"""results.duckdb opens in a DuckDB 1.1.x client (issue 15 item 2): the storage version is pinned
(``pipeline.runs.database.STORAGE_COMPATIBILITY``), but only an old client proves it, so a second
Python environment with ``duckdb==1.1.3`` opens a run's database and ``<out>/current``'s in a
subprocess. The environment: ``$MLSYS_DUCKDB11_PYTHON``, else ``.venv-duckdb11/bin/python`` at the
repository's root (README, "What a run produces"); without one the test skips and says how
to build it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline.runs import database

ROOT = Path(__file__).resolve().parents[2]
BUILD = "python3 -m venv .venv-duckdb11 && .venv-duckdb11/bin/pip install -q duckdb==1.1.3"
NODE = {"axes": {"model": ["ResNet-50"], "hardware": ["T4", "A10"], "batch": [1, 8]}}

# Run by the DuckDB 1.1 interpreter: argv = [study, (database, working directory or ""), ...].
READER = r"""
import json, sys
import duckdb
study, pairs = sys.argv[1], sys.argv[2:]
out = {"version": duckdb.__version__, "opened": []}
for database, search in zip(pairs[::2], pairs[1::2]):
    con = duckdb.connect(database, read_only=True)
    if search:
        con.execute("SET file_search_path = ?", [search])
    rows = con.sql(f"select count(*), count(distinct config_id) from {study}").fetchall()[0]
    types = dict(con.sql(f"select column_name, data_type from duckdb_columns() where table_name = '{study}'"
                         " and column_name in ('config_id', 'batch')").fetchall())
    comment = con.sql(f"select comment from duckdb_columns() where table_name = '{study}' "
                      "and column_name = 'latency_s'").fetchall()[0][0]
    values = con.sql(f"select * exclude (run_id) from {study} order by config_id").fetchall()
    out["opened"].append({"rows": list(rows), "types": types, "comment": comment, "values": [list(v) for v in values]})
    con.close()
print(json.dumps(out))
"""


def duckdb11_python() -> str | None:
    given = os.environ.get("MLSYS_DUCKDB11_PYTHON")
    if given:
        return given
    local = ROOT / ".venv-duckdb11" / "bin" / "python"
    return str(local) if local.exists() else None


def read_with(python: str, reader: str, args: list[str], cwd=None) -> dict:
    """What ``reader`` prints (JSON), run by the DuckDB 1.1 interpreter ``python`` without this environment's
    PYTHONPATH; its exit status must be 0."""
    done = subprocess.run([python, "-c", reader, *args], capture_output=True, text=True, cwd=cwd,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_duckdb_1_1_client_opens_a_run_and_current(tmp_path):
    python = duckdb11_python()
    if python is None:
        pytest.skip(f"no DuckDB 1.1.x environment: set MLSYS_DUCKDB11_PYTHON or build it with `{BUILD}`")
    version = subprocess.run([python, "-c", "import duckdb; print(duckdb.__version__)"], capture_output=True,
                             text=True)
    if version.returncode != 0 or not version.stdout.startswith("1.1."):
        pytest.fail(f"{python} is not a DuckDB 1.1.x environment: {version.stdout.strip()} {version.stderr.strip()}")
    out = tmp_path / "out"
    run = pipeline.run_sweep(NODE, out, publish=True)
    rows = json.loads((run / "manifest.json").read_text())["rows"]["node"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the run's database resolves its relative paths in the run folder; current's from any directory
    args = ["node", str(run / "results.duckdb"), str(run), str(out / "current" / "results.duckdb"), ""]
    found = read_with(python, READER, args, cwd=elsewhere)
    assert found["version"].startswith("1.1.")
    assert len(found["opened"]) == 2
    for opened in found["opened"]:
        assert opened["rows"] == [rows, rows] and rows > 0  # every row, one id each
        assert opened["types"] == {"config_id": "BIGINT", "batch": "BIGINT"}
        assert opened["comment"].endswith("[s]")
    # every column, the query-time ones (SQL rendered from the formulas) included, as this DuckDB computes them
    con = database.connect(run)
    try:
        here = [list(v) for v in con.sql("select * exclude (run_id) from node order by config_id").fetchall()]
    finally:
        con.close()
    assert all(opened["values"] == here for opened in found["opened"])
    assert sys.executable != python  # two environments, not one
