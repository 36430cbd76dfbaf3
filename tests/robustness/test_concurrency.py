"""Issue 14: concurrent runs complete and stay separate. Subprocesses: two processes are the point."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.robustness.why import SMALL


def test_two_sweeps_of_one_spec_at_once_complete_separately(tmp_path):
    (tmp_path / "spec.toml").write_text(SMALL)
    command = [sys.executable, "-m", "pipeline", "sweep", "--spec", "spec.toml", "--out", "out", "--no-map"]
    procs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    ended = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], ended
    runs = sorted(p for p in (tmp_path / "out").iterdir() if p.name not in ("current", ".current"))
    assert len(runs) == 2 and not any(r.name.startswith(".") for r in runs)
    # both published in turn: current reads one of them, and only one version is kept
    assert (tmp_path / "out" / "current").resolve().parent == (tmp_path / "out" / ".current").resolve()
    assert len([p for p in (tmp_path / "out" / ".current").iterdir() if p.is_dir()]) == 1
    published = json.loads((tmp_path / "out" / "current" / "published.json").read_text())
    assert published["node"] in {str(r.resolve()) for r in runs}
    for run in runs:  # each complete, and its manifest names its own folder
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["run_id"] == run.name and manifest["rows"] == {"node": 1}
        assert (run / "results.duckdb").is_file() and list((run / "study=node").glob("*/*.parquet"))
