"""``mlsys report run``: one HTML file that opens offline, a chart per query of the run's study,
each chart holding exactly the rows its query returns; bad names are input errors."""

from __future__ import annotations

import re

import pytest

import pipeline
from pipeline.report import charts, run_report
from pipeline.runs import database

SERVING = {"study": "serving", "axes": {"model": ["Llama 3 8B", "Llama 2 70B"],
                                        "hardware": ["H100 SXM5 80GB", "A100 SXM4 80GB"],
                                        "precision": ["bf16"], "tp": [1, 2, 4], "batch": [1, 16, 64],
                                        "prompt_len": [512], "output_len": [128], "region": ["aws-us-east-1"]}}
TRAINING = {"study": "training", "axes": {"model": ["Llama 3 8B"],
                                          "cluster": ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"],
                                          "compute_dtype": ["bf16"], "seq_len": [4096], "gpus": [8, 64],
                                          "tp": [1, 2], "pp": [1], "global_batch": [256]}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    node = {"axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["ResNet-50", "Llama 3 8B", "Llama 3.1 405B"],
                     "compute_dtype": ["fp16", "fp8"], "batch": [1, 8], "seq_len": [512]}}
    return {name: pipeline.run_sweep(spec, out) for name, spec in
            (("node", node), ("serving", SERVING), ("training", TRAINING))}


def test_each_chart_holds_its_query_rows(runs):
    node = run_report.build(runs["node"])
    assert [f.name for f in node.figures] == ["roofline", "model_accelerator_map"]
    roofline, cells = node.figures
    expected = [database.run_query("roofline", runs["node"], p) for p in roofline.params]
    assert charts.points_of(roofline.chart) == [r for frame in expected for r in frame.to_dicts()]
    assert charts.points_of(cells.chart) == database.run_query("model_accelerator_map", runs["node"]).to_dicts()
    # Llama 3.1 405B fits neither device: its cells are in the map, with no latency and the reason
    big = [r for r in charts.points_of(cells.chart) if r["model"] == "Llama 3.1 405B"]
    assert big and all(r["latency_s"] is None and r["infeasible_reason"] for r in big)

    serving = run_report.build(runs["serving"])
    assert [f.name for f in serving.figures] == ["serving_frontier", "carbon_per_token"]
    for f in serving.figures:
        per_model = [database.run_query(f.query, runs["serving"], p).to_dicts() for p in f.params]
        assert len(charts.points_of(f.chart)) == sum(len(rows) for rows in per_model) > 0
    assert {p["model"] for p in serving.figures[0].params} == {"Llama 3 8B", "Llama 2 70B"}

    training = run_report.build(runs["training"])
    assert [f.name for f in training.figures] == ["scaling_curve"]  # no region axis: no region chart
    curve = database.run_query("scaling_curve", runs["training"], {"model": "Llama 3 8B"})
    assert [{k: v for k, v in r.items() if k != "model"} for r in charts.points_of(training.figures[0].chart)] \
        == curve.to_dicts()


def test_html_opens_offline_and_a_second_report_keeps_the_first(runs):
    first = pipeline.report_run(runs["serving"])
    page = (first / "report.html").read_text()
    assert page.count("<svg") == 2 and not re.search(r"<script|<link|src=|@import", page)
    for name in ("serving_frontier", "carbon_per_token"):
        assert (first / f"{name}.svg").read_text().startswith("<svg")
        assert (first / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    second = pipeline.report_run(runs["serving"])
    assert second != first and (first / "report.html").read_text() == page


def test_unknown_names_are_input_errors(mlsys, runs):
    result = mlsys("report", "run", str(runs["serving"]), "--model", "Llama 9B")
    assert result.exit_code == 2 and "Llama 9B" in result.stderr and "Llama 3 8B" in result.stderr
    result = mlsys("report", "run", str(runs["node"]), "--hardware", "H100")
    assert result.exit_code == 2 and "H100 SXM5 80GB" in result.stderr
