"""``mlsys columns``: the column dictionary of the studies' outputs."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pipeline.cli.output import print_frame
from pipeline.errors import InputError, Problem


def columns(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    study: Annotated[str | None, typer.Option("--study", help="node, serving or training (default: all)")] = None,
) -> None:
    """The column dictionary: every output column's unit, description and formula source."""
    import polars as pl

    from pipeline.studies.columns import STUDIES, column_dictionary

    frame = column_dictionary()
    if study is not None:
        if study not in STUDIES:
            raise InputError("columns", [Problem(None, "--study", f"got {study!r}, expected one of "
                                                               f"{', '.join(STUDIES)}")])
        frame = frame.filter(pl.col("study") == study)
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), indent=2))
    else:
        print_frame(frame, title="column dictionary")
