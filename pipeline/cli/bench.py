"""``mlsys bench``: sweep speed end to end on a synthetic spec."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def bench(
    rows: Annotated[int, typer.Option("--rows", help="Approximate configurations to sweep.")] = 10_000_000,
    out: Annotated[Path | None, typer.Option("--out", help="Scratch directory (default: a temp dir, removed).")] = None,
    study: Annotated[str, typer.Option("--study", help="node, serving or training")] = "node",
) -> None:
    """Benchmark: sweep a synthetic spec end to end and report rows/s and peak RSS."""
    from pipeline.bench import run_benchmark

    for line in run_benchmark(rows, out, study):
        typer.echo(line)
