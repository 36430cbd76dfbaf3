"""The ``mlsys`` application: every command registered, and the entry point. Command modules
import only typer at load time, so ``mlsys --help`` answers without polars, pint or duckdb."""

from __future__ import annotations

import sys

import typer

from pipeline.cli import bench, catalog, columns, evaluate, query, sweep, validate
from pipeline.cli.output import console
from pipeline.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="mlsys: a first-order analytical model of ML systems, swept over whole catalogs.")
for command in (sweep.sweep, evaluate.evaluate, query.query, columns.columns):
    app.command()(command)
app.add_typer(catalog.catalog_app, name="catalog")
for command in (validate.validate, validate.calibrate):
    app.command()(command)
app.add_typer(validate.report_app, name="report")
app.command()(bench.bench)


def main() -> None:
    """Console entry point: input errors print their message and exit with code 2."""
    try:
        app()
    except InputError as exc:
        console(stderr=True).print(f"error: {exc}", markup=False)
        sys.exit(2)
