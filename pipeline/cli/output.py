"""Printing for people: one console, tables whose numbers never wrap, one number formatter
(``pipeline.report.format.quantity``), and JSON for machines."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

WIDE = 200  # console width when output is not a terminal (a pipe, a file, a test): names are not cut


def console(stderr: bool = False, width: int | None = None):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, soft_wrap=False,
                   width=width or (None if stream.isatty() else WIDE))


def print_table(table, stderr: bool = False) -> None:
    """Print ``table`` at the terminal's width, or wider when its numbers would not fit whole
    (number columns have a minimum width of their longest cell; names fold instead)."""
    from rich.measure import Measurement

    out = console(stderr)
    need = Measurement.get(out, out.options.update_width(1_000_000), table).minimum
    if need > out.width:
        out = console(stderr, width=need)
    if table.title:  # a line of its own: a title wider than the table would wrap
        out.print(table.title, markup=False)
        table.title = None
    out.print(table)


def new_table(title: str | None = None):
    from rich.table import Table

    return Table(title=title, show_lines=False)


def add_columns(table, names: list[str], numbers: list[list[str]], text: list[bool]) -> None:
    """Columns for ``names``; ``numbers``: each column's cells that show numbers, which never wrap
    (the column is at least as wide as the longest); ``text``: the column also holds words, which fold."""
    for name, cells, has_text in zip(names, numbers, text, strict=True):
        width = max((len(c) for c in cells), default=0)
        if has_text:
            table.add_column(name, overflow="fold", min_width=width or None)
        else:
            table.add_column(name, justify="right", no_wrap=True, min_width=width)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def print_frame(frame, title: str | None = None, units: dict | None = None, limit: int | None = None) -> None:
    """A polars frame as a table: the unit of each column in its header, numbers with prefixes."""
    from pipeline.report.format import quantity

    shown = frame if limit is None else frame.head(limit)
    units = units or {}
    columns = [[quantity(v, units.get(c)) for v in shown[c].to_list()] for c in shown.columns]
    table = new_table(title)
    numeric = [shown[c].dtype.is_numeric() for c in shown.columns]
    add_columns(table, [f"{c}\n({units[c]})" if units.get(c) else c for c in shown.columns],
                [cells if n else [] for cells, n in zip(columns, numeric, strict=True)], [not n for n in numeric])
    for row in zip(*columns, strict=True):
        table.add_row(*row)
    print_table(table)
    if limit is not None and frame.height > limit:
        console().print(f"({frame.height - limit} more rows)")


def print_pairs(title: str, rows: list[tuple[str, str, list]], value_names: list[str]) -> None:
    """A column | unit | value... table of one configuration (``rows``: column, unit, values)."""
    from pipeline.report.format import quantity

    table = new_table(title)
    numbers = [[quantity(r[2][i], r[1] or None) for r in rows if is_number(r[2][i])] for i in range(len(value_names))]
    text = [any(not is_number(r[2][i]) and r[2][i] is not None for r in rows) for i in range(len(value_names))]
    add_columns(table, ["column", "unit", *value_names], [[], [], *numbers], [True, True, *text])
    for column, unit, values in rows:
        table.add_row(column, unit, *(quantity(v, unit or None) for v in values))
    print_table(table)


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def units_of(study: str = "node") -> dict[str, str | None]:
    """Output column -> unit, from the study's schema."""
    from pipeline.studies import schema_columns
    from pipeline.studies.columns import STUDIES

    return {c: s["unit"] for c, s in schema_columns(STUDIES[study]).items()}
