"""mlsys runs list / prune: the complete runs under --out, and keeping the newest of each study."""

from __future__ import annotations

import json

import pipeline
from pipeline.runs.history import list_runs, prune

NODE = {"axes": {"model": ["ResNet-50"], "hardware": ["T4"], "batch": [1]}}
SERVING = {"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "batch": [1],
                                        "prompt_len": [128], "output_len": [16]}}


def test_list_and_prune_keep_the_newest_of_each_study(tmp_path, mlsys):
    out = tmp_path / "out"
    node_runs = [pipeline.run_sweep(NODE | {"axes": NODE["axes"] | {"batch": [b]}}, out) for b in (1, 2, 4)]
    serving_run = pipeline.run_sweep(SERVING, out)
    (out / "notes.txt").write_text("not a run")
    listed = list_runs(out)
    assert listed["run_id"].to_list() == [r.name for r in [*node_runs, serving_run]]
    assert listed["study"].to_list() == ["node", "node", "node", "serving"]
    manifest = json.loads((node_runs[0] / "manifest.json").read_text())
    assert listed["rows"][0] == manifest["rows"]["node"] and listed["disk_bytes"][0] > 0

    assert prune(out, keep=1, dry_run=True) == node_runs[:2] and all(r.exists() for r in node_runs)
    res = mlsys("runs", "prune", "--keep", "1", "--out", out)
    assert res.exit_code == 0 and "removed 2 run(s)" in res.stdout, res.stderr
    assert [r.exists() for r in node_runs] == [False, False, True] and serving_run.exists()
    assert (out / "notes.txt").exists()
    res = mlsys("runs", "list", "--out", out, "--format", "json")
    assert [r["run_id"] for r in json.loads(res.stdout)] == [node_runs[2].name, serving_run.name]
