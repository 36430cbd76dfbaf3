"""``mlsys query``: a named SQL query (sql/NAME.sql) against a run's results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.output import print_frame, units_of
from pipeline.errors import InputError, Problem

FORMATS = ("table", "csv", "parquet", "json")


def query(
    name: Annotated[str | None, typer.Argument(help="Query name (a file in sql/); omit to list them.")] = None,
    run: Annotated[str | None, typer.Option("--run", help="Run id or directory (default: newest).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where runs live.")] = Path("outputs"),
    param: Annotated[list[str] | None, typer.Option("--param", help="k=v, bound as a query parameter.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, parquet or json")] = "table",
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file (required for parquet).")] = None,
    folder: Annotated[Path | None, typer.Option("--queries", help="A folder of your own .sql queries "
                                                                   "(default: the packaged sql/).")] = None,
) -> None:
    """Run a named SQL query (sql/NAME.sql) against a run's results."""
    import pipeline
    from pipeline.api import queries, query_run

    if name is None:
        for n, params in queries(folder).items():
            typer.echo(f"{n}  " + " ".join(f"{k}={v if v is not None else '<required>'}" for k, v in params.items()))
        return
    if fmt not in FORMATS:
        raise InputError("query", [Problem(None, "--format", f"got {fmt!r}, expected table, csv, parquet or json")])
    if fmt == "parquet" and output is None:
        raise InputError("query", [Problem(None, "--output", "required with --format parquet")])
    if output is not None and output.is_dir():
        raise InputError("query", [Problem(None, "--output", f"{output} is a folder; expected a file name")])
    if output is not None and output.exists() and not output.is_file():  # a device or pipe: never replaced
        raise InputError("query", [Problem(None, "--output", f"{output} is not a regular file; expected a file name")])
    params = parse_params(param)
    frame = pipeline.query(name, run, out, queries=folder, **params)
    write(frame, name, fmt, output)
    if frame.height == 0:  # say which run was read: the newest of a study may not be the run meant
        read = query_run(name, run, out, folder, **params)
        typer.echo(f"note: {name} returned no rows from run {read.name} ({read}); --run chooses another "
                   "(`mlsys runs list`)", err=True)


def parse_params(items: list[str] | None) -> dict[str, str]:
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError("query", [Problem(None, "--param", f"got {item!r}, expected key=value")])
        params[key.strip()] = value.strip().strip("'\"")
    return params


def write(frame, name: str, fmt: str, output: Path | None) -> None:
    """Print, or write ``output`` atomically (its folder is created; a failed write leaves no file)."""
    from pipeline.catalogs.io import replace_atomically
    from pipeline.catalogs.text_cells import for_spreadsheet

    if fmt == "csv":  # CSV is opened in spreadsheets: no cell may run as a formula
        frame = for_spreadsheet(frame)
    if fmt == "table":
        print_frame(frame, title=name, units=units_of())
        return
    if fmt == "parquet":
        writer = frame.write_parquet
    elif fmt == "csv":
        writer = frame.write_csv
    else:
        text = json.dumps(frame.to_dicts(), indent=2, default=str)
        writer = lambda path: Path(path).write_text(text)  # noqa: E731
    if output is None:
        typer.echo(frame.write_csv() if fmt == "csv" else text, nl=fmt != "csv")
    else:
        replace_atomically(writer, output)
