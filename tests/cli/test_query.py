"""``mlsys query``: the list of named queries, parameters, formats, and bad input."""

from __future__ import annotations

import json

import pytest

import pipeline


@pytest.fixture
def run_dir(tmp_path):
    return pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4", "A100 SXM4 80GB"],
                                        "batch": [1, 64]}}, tmp_path / "out")


def test_list_names_every_query_with_its_parameters(mlsys):
    res = mlsys("query")
    assert res.exit_code == 0, res.stderr
    lines = dict(ln.split("  ", 1) if "  " in ln else (ln, "") for ln in res.stdout.splitlines())
    assert "fastest_layouts" in lines and "bottlenecks" in lines
    assert lines["cost_frontier"].split() == ["model=<required>", "region=any"]  # sql/cost_frontier.sql header


def test_json_and_csv_of_a_run(mlsys, run_dir):
    res = mlsys("query", "bottlenecks", "--run", run_dir, "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["hardware"] for r in rows} == {"T4", "A100 SXM4 80GB"}
    assert all(r["configurations"] == 2 for r in rows)  # one model x two batches per accelerator
    res = mlsys("query", "bottlenecks", "--run", run_dir, "--format", "csv")
    assert res.stdout.splitlines()[0].startswith("hardware,workload,configurations,feasible")
    res = mlsys("query", "bottlenecks", "--run", run_dir)
    assert "A100 SXM4 80GB" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml"], "--format: got 'xml', expected table, csv, parquet or json"),
    (["--format", "parquet"], "--output: required with --format parquet"),
    (["--param", "model"], "--param: got 'model', expected key=value"),
    (["--param", "model=x"], "model: unknown parameter; bottlenecks takes none"),
])
def test_bad_input(mlsys, run_dir, args, message):
    res = mlsys("query", "bottlenecks", "--run", run_dir, *args)
    assert res.exit_code == 2 and message in " ".join(res.stderr.split()), res.stderr
