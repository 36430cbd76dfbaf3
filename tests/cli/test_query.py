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


def test_the_newest_run_is_the_newest_of_the_study_the_query_reads(mlsys, tmp_path):
    """Issue 14: after a serving sweep, the README's shortlist (which reads node) still finds the node run."""
    out = tmp_path / "out"
    node_run = pipeline.run_sweep({"axes": {"model": ["ResNet-50"], "hardware": ["T4"], "batch": [1]}}, out)
    pipeline.run_sweep({"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"],
                                                     "batch": [1], "prompt_len": [128], "output_len": [16]}}, out)
    res = mlsys("query", "shortlist", "--out", out, "--param", "model=ResNet-50", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert [r["hardware"] for r in json.loads(res.stdout)] == ["T4"]
    res = mlsys("query", "scaling_curve", "--out", out)
    assert res.exit_code == 2 and "no complete training run under" in res.stderr, res.stderr
    assert node_run.name not in res.stderr


def test_output_creates_its_folder_and_rejects_a_folder(mlsys, run_dir, tmp_path):
    target = tmp_path / "new" / "deeper" / "b.csv"
    res = mlsys("query", "bottlenecks", "--run", run_dir, "--format", "csv", "--output", target)
    assert res.exit_code == 0, res.stderr
    assert target.read_text().startswith("hardware,workload,configurations")
    assert [p.name for p in target.parent.iterdir()] == ["b.csv"]  # no temporary file left behind
    res = mlsys("query", "bottlenecks", "--run", run_dir, "--format", "csv", "--output", tmp_path)
    assert res.exit_code == 2 and "is a folder; expected a file name" in res.stderr, res.stderr


def test_a_path_as_query_name_is_an_unknown_name(mlsys, run_dir, tmp_path):
    (tmp_path / "evil.sql").write_text("copy (select 1) to 'evil.csv'")
    res = mlsys("query", str(tmp_path / "evil"), "--run", run_dir)
    assert res.exit_code == 2 and "unknown name" in res.stderr, res.stderr
    res = mlsys("query", "evil", "--run", run_dir, "--queries", tmp_path)
    assert res.exit_code == 2 and "holds COPY statement(s)" in " ".join(res.stderr.split()), res.stderr


def test_no_rows_names_the_run_it_read(mlsys, run_dir):
    """tryout: after a small serving sweep the README's max_batch printed an empty table and exit 0, without
    saying that it had read that run (the newest of its study) rather than the full one."""
    res = mlsys("query", "shortlist", "--run", run_dir, "--param", "model=ResNet-50", "--param", "max_latency_s=1e-12",
                "--format", "csv")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[1:] == []
    assert f"note: shortlist returned no rows from run {run_dir.name}" in " ".join(res.stderr.split())
    res = mlsys("query", "shortlist", "--run", run_dir, "--param", "model=ResNet-50", "--format", "csv")
    assert len(res.stdout.splitlines()) > 1 and "note:" not in res.stderr
