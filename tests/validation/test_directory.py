"""A validation run through the CLI: the run directory, the report, the query."""

from __future__ import annotations

import polars as pl

import pipeline
from pipeline.validation import latest

from .measured_csv import BAD, ROWS, write


def test_cli_validate_and_report(mlsys, tmp_path):
    path = write(tmp_path, [ROWS[0], ROWS[3], BAD[1]])
    out = mlsys("validate", "--measured", path, "--out", "o")
    assert out.exit_code == 0, out.stderr
    assert "left out: row 3 (line 4), column value: got -1.0, expected > 0" in " ".join(out.stderr.split())
    run_dir = latest(tmp_path / "o")
    assert {"validation.parquet", "report.md", "scatter.svg", "fitted_profiles.csv", "results.duckdb"} <= {
        p.name for p in run_dir.iterdir()}
    report = mlsys("report", "validation", "--out", "o")
    assert report.exit_code == 0 and "| metric | hfu | 1 |" in report.stdout
    # measured values with their unit and a prefix: 0.38 ms is 380 µs; HFU 49 % is the fraction 0.49
    assert "| resnet-b1 | latency_s (s) | 380 µs | " in report.stdout
    assert "| gpt3-384 | hfu (fraction) | 0.49 | " in report.stdout
    groups = pipeline.query("validation_report", run=run_dir)
    assert groups.filter(pl.col("grouping") == "all")["rows"].item() == 2
