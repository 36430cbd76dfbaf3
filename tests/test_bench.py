"""``mlsys bench --single``: our single-configuration timings against their targets, beside the
peer's, whose interpreter is given (never a fixed path)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from pipeline import bench

PEER = {"tool": "MLSys·im 0.3.0", "Engine.solve": 0.004, "ServingModel.solve": 0.002,
        "DistributedModel.solve": "ValueError: no fleet", "SystemEvaluator.evaluate": 0.010}


def fake_python(tmp_path: Path, answer: dict) -> str:
    """An 'interpreter' that prints the peer script's JSON line whatever it is asked to run."""
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\necho '{json.dumps(answer)}'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_the_peer_runs_in_the_interpreter_it_is_given(tmp_path):
    assert bench.peer_timings(fake_python(tmp_path, PEER), calls=3) == PEER


def test_single_benchmark_prints_ours_the_targets_the_peers_and_the_ratio(tmp_path):
    lines = list(bench.single_benchmark(calls=3, peers=fake_python(tmp_path, PEER), cold_runs=0))
    table = {line.split()[0]: line for line in lines[2:] if line.split()[0] in bench.SINGLE_TARGETS_S}
    assert set(table) == {"evaluate", "evaluate_serving", "evaluate_training", "scorecard"}
    assert "2.00 ms" in table["evaluate"] and "Engine.solve" in table["evaluate"] and "4.00 ms" in table["evaluate"]
    ours = float(table["evaluate"].split()[1]) / 1e3  # ms -> s
    # ours / peer: both printed to two decimals, so they agree within the rounding of each
    assert float(table["evaluate"].split()[-1]) == pytest.approx(ours / 0.004, abs=0.01)
    assert "error" in table["evaluate_training"]  # the peer's call raised: said, not hidden
    assert any(line.startswith("peer DistributedModel.solve: ValueError") for line in lines)


def test_without_a_peer_interpreter_ours_are_still_timed():
    lines = list(bench.single_benchmark(calls=2, peers=None, cold_runs=0))
    assert any("MLSYS_PEERS_PYTHON" in line for line in lines)
    assert sum(line.split()[0] in bench.SINGLE_TARGETS_S for line in lines if line.strip()) == 4


# A few names for the synthetic spec's "all" axes: the training spec over every cluster and model
# is 6.7 M rows at its smallest (43 s here), and what is checked (the codec, one figure for the
# sweep and its query, the query's rows) does not depend on the sweep's size.
FEW = {"cluster": bench.CLUSTERS, "model": ["Llama 2 7B", "Mixtral 8x7B"], "hardware": ["H100 SXM5 80GB", "MI300X"]}


def test_the_sweep_rate_as_a_ratio_to_the_peers_configurations_per_second():
    """Issue 15: rows/s over MLSys·im's configurations/s. 2,000,000 rows/s against 4 ms a call (250
    configurations/s) is 8,000x, short of the 10,000x goal; 3,000,000 rows/s is 12,000x; a call that
    raised gives no ratio."""
    short = bench.peer_ratio(2_000_000.0, "node", PEER)
    assert "Engine.solve 4.00 ms" in short and "250 configurations/s" in short and "8,000x" in short
    assert short.endswith("NOT met)")
    assert "12,000x" in bench.peer_ratio(3_000_000.0, "node", PEER) and "ServingModel.solve 2.00 ms" in (
        bench.peer_ratio(1.0, "serving", PEER))
    assert "ValueError: no fleet" in bench.peer_ratio(1.0, "training", PEER)


@pytest.fixture
def few_axes(monkeypatch):
    """The bench's synthetic spec over a few accelerators, clusters and models (``FEW``)."""
    synthetic = bench.synthetic_spec

    def few(batches: int, study: str = "node") -> dict:
        spec = synthetic(batches, study)
        return spec | {"axes": spec["axes"] | {k: v for k, v in FEW.items() if spec["axes"].get(k) == "all"}}

    monkeypatch.setattr(bench, "synthetic_spec", few)


@pytest.mark.parametrize(("study", "query"), [("node", "design_space_map"), ("serving", "fits"),
                                              ("training", "fastest_layouts")])
def test_the_sweep_benchmark_times_a_query_over_its_result(study, query, few_axes, tmp_path):
    """Issue 15: `mlsys bench` times the sweep and a query over what it wrote, in one figure (the
    synthetic spec over a few accelerators, clusters and models: ``FEW``)."""
    from pipeline.bench import run_benchmark

    lines = list(run_benchmark(2000, study=study, peers=fake_python(tmp_path, PEER), calls=3))
    assert lines[0].startswith("synthetic") and 2000 <= int(lines[0].split(": ")[1].split()[0].replace(",", "")) < 20000
    assert "; zstd)" in lines[0]  # the study's packaged spec's codec
    end = next(line for line in lines if line.startswith("end to end:"))
    assert f"`{query}`" in end and "written and queried" in end
    assert int(end.split(f"`{query}` ")[1].split(" s, ")[1].split(" rows")[0].replace(",", "")) > 0
    # the sweep's CPU and the query's add up to the end-to-end CPU (each rounded to 0.01)
    total, sweep, asked = (float(end.split(" CPU s")[i].rsplit(" ", 1)[1]) for i in (0, 1, 2))
    assert sweep > 0 and asked > 0 and abs(sweep + asked - total) <= 0.015
    rate = float(end.split(" = ")[1].split(" rows/s")[0].replace(",", ""))
    call = bench.SWEEP_PEER_CALL[study]
    # the same run's rate: the printed rate is rounded to whole rows/s, so the ratio it gives may round the other way
    ratio = re.compile(r"end ([0-9,]+)x")
    assert call in lines[-1] and ratio.sub("", lines[-1]) == ratio.sub("", bench.peer_ratio(rate, study, PEER))
    if isinstance(PEER[call], float):  # else the line says why there is no ratio (compared above)
        printed = float(ratio.search(lines[-1]).group(1).replace(",", ""))
        assert abs(printed - rate * PEER[call]) <= 0.5 + PEER[call]


def test_the_node_compute_only_loop_plans_as_the_writer_does(few_axes, monkeypatch):
    """The compute-only figure plans node as the run writer does (each accelerator's rows together: the kernel-fit
    and unfitted cuts, ``node.fit_cuts``), not an ungrouped plan no sweep runs (~0.6 CPU s more at the bench size,
    CHANGELOG nodeq2); the writer's own sweep is unchanged."""
    from pipeline.studies import node

    build, grouped = node.build, []

    def recorded(space, hardware_side=None):
        grouped.append(space.grouped_by)
        return build(space, hardware_side)

    monkeypatch.setattr(node, "build", recorded)
    lines = bench.run_benchmark(2000)
    next(lines), next(lines)  # the spec, then the compute-only loop
    assert grouped and set(grouped) == {"hardware"}  # every chunk
