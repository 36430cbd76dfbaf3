"""``mlsys report run``: the charts of a run as one HTML file (opens offline) with SVG and PNG files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report_run(
    run: Annotated[str | None, typer.Argument(help="Run id or directory (default: the newest run).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where runs live.")] = Path("outputs"),
    model: Annotated[list[str] | None, typer.Option("--model", help="A model to draw (serving and training runs; "
                                                                    "repeatable; default: the first four).")] = None,
    hardware: Annotated[list[str] | None, typer.Option("--hardware", help="An accelerator's roofline (node runs; "
                                                                          "repeatable; default: the four fastest "
                                                                          "most often).")] = None,
    to: Annotated[Path | None, typer.Option("--to", help="Folder to write (default: <run>/report).")] = None,
) -> None:
    """Write a run's charts: roofline and model x accelerator map (node), latency-throughput frontier
    (serving), scaling curve (training), carbon by region (runs with regions)."""
    import pipeline
    from pipeline.cli.output import console
    from pipeline.errors import InputError, Problem

    if to is not None and (to.exists() and not to.is_dir() or any(p.is_file() for p in to.parents)):
        raise InputError("report run", [Problem(None, "--to", f"{to} is, or is under, a file; expected a folder")])

    folder = pipeline.report_run(run, out, model, hardware, to)
    console().print(f"report: {folder}/report.html (charts as SVG and PNG beside it)", markup=False)
