"""``mlsys columns``: the column dictionary of the studies' outputs, and the words a ``bound``
column takes (pipeline.walls.bounds)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from pipeline.cli.output import print_frame
from pipeline.errors import InputError, Problem


def is_bound_column(name: str) -> bool:
    """``bound`` and ``<step>_bound`` (``ttft_bound``) take the words of the one vocabulary."""
    return name == "bound" or name.endswith("_bound")


def columns(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    study: Annotated[str | None, typer.Option("--study", help="node, serving or training (default: all)")] = None,
) -> None:
    """The column dictionary: every output column's unit, description and formula source, then
    the words of the bound columns and what each means (JSON: under each bound column's "words")."""
    import polars as pl

    from pipeline.studies.columns import STUDIES, column_dictionary
    from pipeline.walls.bounds import BOUNDS

    if fmt not in ("table", "csv", "json"):
        raise InputError("columns", [Problem(None, "--format", f"got {fmt!r}, expected table, csv or json")])
    frame = column_dictionary()
    if study is not None:
        if study not in STUDIES:
            raise InputError("columns", [Problem(None, "--study", f"got {study!r}, expected one of "
                                                               f"{', '.join(STUDIES)}")])
        frame = frame.filter(pl.col("study") == study)
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        entries = [e | {"words": dict(BOUNDS)} if is_bound_column(e["column_name"]) else e for e in frame.to_dicts()]
        typer.echo(json.dumps(entries, indent=2))
    else:
        print_frame(frame, title="column dictionary")
        words = pl.DataFrame({"bound": list(BOUNDS), "meaning": list(BOUNDS.values())})
        print_frame(words, title="bound: the term that sets the time, or why there is none")
