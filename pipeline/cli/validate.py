"""``mlsys validate``, ``mlsys calibrate`` and ``mlsys report validation``: the model against
published measurements."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import MeasuredOpt, OutOpt, RegistryOpt
from pipeline.cli.output import console, print_frame
from pipeline.errors import InputError, Problem

report_app = typer.Typer(help="Render reports of earlier runs.", no_args_is_help=True)


def validate(
    measured: MeasuredOpt = None,
    out: OutOpt = None,
    registry: RegistryOpt = None,
    peers: Annotated[str | None, typer.Option(
        "--peers", help="Python with mlsysim 0.3.0 and llm-analysis 0.2.2 installed: add their errors and speed "
                        "on the same rows to the report (see pipeline/validation/peers).")] = None,
    compute_model: Annotated[str | None, typer.Option(
        "--compute-model", help='"kernel" or "profile": efficiency.compute_model of every row '
                                "(default: each study's default, as a sweep has it).")] = None,
) -> None:
    """Predict published measurements, calibrate eta, and write a validation report."""
    from pipeline.report.renderer import Renderer

    if compute_model not in (None, "kernel", "profile"):
        raise InputError("validate", [Problem(None, "--compute-model", f'got {compute_model!r}, expected "kernel" '
                                                                       'or "profile"')])
    renderer = Renderer()  # the scatter's, started before the imports below: its engine starts on the other core
    from pipeline import validation

    run_dir, left_out = validation.run(measured, out or "outputs", registry, peers, compute_model, renderer)
    console().print((run_dir / "report.md").read_text().split("\n## Calibration")[0], markup=False)
    for p in left_out:
        console(stderr=True).print(f"left out: {p.render()}", markup=False)
    console().print(f"report:      {run_dir}/report.md (and scatter.svg)\n"
                    f"predictions: {run_dir}/validation.parquet\n"
                    f"calibrated:  {run_dir}/fitted_profiles.csv\n"
                    f"             (mlsys catalog import --csv <it> --table efficiency_profiles)\n"
                    f"query:       mlsys query validation_report --run {run_dir}")


def calibrate(measured: MeasuredOpt = None, out: OutOpt = None, registry: RegistryOpt = None) -> None:
    """Fit a framework multiplier on every kernel's speed (eta / profile eta) per (workload, framework,
    hardware family, precision) to measurements, with cross-validated error leaving out one source at a
    time; writes fitted efficiency profiles."""
    import polars as pl

    from pipeline import validation
    from pipeline.validation.summary import error_by_metric

    run_dir, _ = validation.run(measured, out or "outputs", registry)
    fitted = pl.read_parquet(run_dir / "calibration.parquet").drop("sources")
    print_frame(fitted, title="fitted multiplier and eta_compute (cv range = the fits leaving one source out)")
    summary = error_by_metric(pl.read_parquet(run_dir / "validation.parquet"))
    print_frame(summary, title="median absolute error % by metric")
    console().print(f"fitted profiles: {run_dir}/fitted_profiles.csv")


@report_app.command("validation")
def report_validation(
    run: Annotated[Path | None, typer.Option("--run", help="A validation run directory (default: newest).")] = None,
    out: OutOpt = None,
) -> None:
    """Print the validation report (Markdown) of a validation run."""
    from pipeline import validation

    run_dir = run or validation.latest(out or "outputs")
    if not (Path(run_dir) / "report.md").is_file():
        raise InputError("report validation", [Problem(None, "--run", f"{run_dir} holds no report.md; expected a "
                                                                      "validation run directory")])
    typer.echo((Path(run_dir) / "report.md").read_text())
