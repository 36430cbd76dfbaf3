"""A validation run through the CLI: the run directory, the report, the query."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl

import pipeline
from pipeline.validation import latest

from .measured_csv import BAD, ROWS, write


def test_cli_validate_and_report(tmp_path):
    path = write(tmp_path, [ROWS[0], ROWS[3], BAD[1]])
    env = {k: v for k, v in os.environ.items() if k != "MLSYS_REGISTRY"}
    out = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--measured", str(path), "--out", "o"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "left out: row 3 (line 4), column value: got -1.0, expected > 0" in " ".join(out.stderr.split())
    run_dir = latest(tmp_path / "o")
    assert {"validation.parquet", "report.md", "scatter.svg", "fitted_profiles.csv", "results.duckdb"} <= {
        p.name for p in run_dir.iterdir()}
    report = subprocess.run([sys.executable, "-m", "pipeline", "report", "validation", "--out", "o"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and "| metric | hfu | 1 |" in report.stdout
    groups = pipeline.query("validation_report", run=run_dir)
    assert groups.filter(pl.col("grouping") == "all")["rows"].item() == 2
