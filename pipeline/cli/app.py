"""The ``mlsys`` application: every command registered, and the entry point. Command modules
import only typer at load time, so ``mlsys --help`` answers without polars, pint or duckdb."""

from __future__ import annotations

import os
import signal
import sys

import typer

from pipeline.cli import bench, catalog, columns, evaluate, nightly, query, report, runs, serve_plan, sweep, validate
from pipeline.cli.output import console
from pipeline.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="mlsys: a first-order analytical model of ML systems, swept over whole catalogs.")
for command in (sweep.sweep, evaluate.evaluate, query.query, columns.columns):
    app.command()(command)
app.add_typer(catalog.catalog_app, name="catalog")
app.add_typer(runs.runs_app, name="runs")
for command in (validate.validate, validate.calibrate):
    app.command()(command)
validate.report_app.command("run")(report.report_run)
app.add_typer(validate.report_app, name="report")
app.command()(bench.bench)
app.command("serve-plan")(serve_plan.serve_plan)
app.command()(nightly.nightly)


def _interrupt(signum, frame) -> None:
    """Ctrl-C or SIGTERM: remove the run directories being written, say so, and exit 128 + the
    signal's number, at once. An exception raised here could land inside a native call (polars
    collecting a chunk), which cannot unwind it, so the handler cleans up and exits itself."""
    from pipeline.runs.atomic import remove_open

    removed = remove_open()
    said = "interrupted (Ctrl-C)" if signum == signal.SIGINT else f"terminated ({signal.Signals(signum).name})"
    what = f"removed the incomplete run {', '.join(str(p) for p in removed)}" if removed else "no run was being written"
    sys.stdout.flush()
    sys.stderr.write(f"{said}: {what}; earlier runs are as they were\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def failure(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and the one message for an exception that ends a command, or None for one
    that is a bug (and keeps its traceback): bad input exits 2; the environment (a folder that
    cannot be written, a full disk, a file size limit, ``--out`` naming a file) exits 1; Ctrl-C
    130 (SIGTERM 143 from ``_interrupt``), the shell's 128 + signal number."""
    nothing_left = "nothing was left half-written; earlier runs are as they were"
    if isinstance(exc, InputError):
        return 2, f"error: {exc}"
    if isinstance(exc, KeyboardInterrupt):  # in process (the API, tests): the run directory is already gone
        return 130, f"interrupted (Ctrl-C): {nothing_left}"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        why = exc.strerror or exc
        if isinstance(exc, (FileExistsError, NotADirectoryError)):  # "--out taken" where taken is a file
            why = f"{why}: a file where a folder is expected (--out and --registry name folders)"
        return 1, f"error: cannot write or read{where}: {why} ({nothing_left})"
    return None


def main() -> None:
    """Console entry point: see ``failure`` for the exit codes."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        app()
    except (InputError, KeyboardInterrupt, OSError) as exc:
        code, message = failure(exc)
        console(stderr=True).print(message, markup=False)
        sys.exit(code)
