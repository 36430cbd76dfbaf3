"""A validation run: predictions, errors, calibration and the report, written atomically to
``<out>/validation/<id>/``; and the newest such run."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError, Problem
from pipeline.report import scatter
from pipeline.report.renderer import Renderer
from pipeline.runs import database
from pipeline.runs.atomic import atomic_directory
from pipeline.validation.accuracy import errors
from pipeline.validation.calibrate import fit, profiles_csv
from pipeline.validation.measurements import read_measurements
from pipeline.validation.predict import predict
from pipeline.validation.report import report_markdown

VALIDATION_DIR = "validation"


def run(measured_path: str | Path | None = None, out_dir: str | Path = "outputs",
        registry: str | Path | None = None, peers_python: str | None = None,
        compute_model: str | None = None, renderer: Renderer | None = None) -> tuple[Path, list[Problem]]:
    """Predict every measurement, calibrate η, write ``<out>/validation/<id>/`` (validation.parquet,
    calibration.parquet, fitted_profiles.csv, results.duckdb, report.md, scatter.svg and .png, manifest.json)
    and return it with the rows that were left out. ``compute_model``: every row's
    ``efficiency.compute_model`` (None: each study's default). ``renderer``: the scatter's, started by the caller
    (None: started here); it ends with the run."""
    renderer = renderer or Renderer()  # in its own process: its engine starts while this one computes
    try:
        if peers_python:  # before the predictions: a mistyped interpreter costs nothing
            from pipeline.validation.peers.answers import check_python

            check_python(peers_python)
        return _run(measured_path, out_dir, registry, peers_python, compute_model, renderer)
    finally:
        renderer.stop()


def _run(measured_path: str | Path | None, out_dir: str | Path, registry: str | Path | None, peers_python: str | None,
         compute_model: str | None, renderer: Renderer) -> tuple[Path, list[Problem]]:
    catalogs = load_catalogs(registry)
    measured = read_measurements(measured_path, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs, compute_model=compute_model))
    fitted, cv = fit(table)
    table = table.join(cv, on="name", how="left").drop("grid")
    now = dt.datetime.now(dt.UTC)
    out = Path(out_dir) / VALIDATION_DIR
    out.mkdir(parents=True, exist_ok=True)
    rid = f"{now:%Y%m%dT%H%M%SZ}"
    with atomic_directory(out / rid) as directory:
        tmp = directory.tmp
        table.write_parquet(tmp / "validation.parquet")
        fitted.write_parquet(tmp / "calibration.parquet")
        profiles_csv(fitted, catalogs.efficiency_profiles, tmp / "fitted_profiles.csv")
        left_out = [p.render() for p in measured.problems]
        manifest = {"run_id": rid, "study": "validation", "created_utc": now.isoformat(timespec="seconds"),
                    "measurements": str(measured_path or "measurements catalog"),
                    "compute_model": compute_model or "each study's default",
                    "rows": {"validation": table.height}, "left_out": left_out}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        database.create_database(tmp, {"validation": "validation.parquet", "calibration": "calibration.parquet"}, {})
        svg, png = renderer.render(scatter.validation_scatter(scatter.scatter_points(table)))
        (tmp / "scatter.svg").write_text(svg)
        (tmp / "scatter.png").write_bytes(png)
        report = report_markdown(tmp, left_out)
        if peers_python:  # the tools people use today, on the same rows (pipeline.validation.peers)
            from pipeline.validation.peers.compare import main as peers_main

            argv = ["--python", peers_python, "--out", str(tmp / "peers")]
            with contextlib.redirect_stdout(io.StringIO()):
                peers_main(argv + (["--measured", str(measured_path)] if measured_path else []))
            summary = (tmp / "peers" / "summary.md").read_text().split("\n", 1)[1]
            report += ("\n## Side by side with MLSys·im 0.3.0 and llm-analysis 0.2.2\n"
                       + summary.replace("## Per metric", "### Per metric"))
        (tmp / "report.md").write_text(report)
    return directory.final, measured.problems


def latest(out_dir: str | Path = "outputs") -> Path:
    runs = sorted(p for p in (Path(out_dir) / VALIDATION_DIR).glob("*") if (p / "manifest.json").exists()) \
        if (Path(out_dir) / VALIDATION_DIR).is_dir() else []
    if not runs:
        raise InputError("report", [Problem(None, None, f"no validation run under {Path(out_dir).resolve()}; "
                                                        "run `mlsys validate` first")])
    return runs[-1]
