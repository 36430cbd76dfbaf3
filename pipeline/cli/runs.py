"""``mlsys runs``: the runs under an output folder, and pruning the older ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.output import console, print_frame
from pipeline.errors import InputError, Problem

runs_app = typer.Typer(no_args_is_help=True, help="The runs under an output folder: list them, compare two, "
                                                  "prune old ones.")
OutDir = Annotated[Path, typer.Option("--out", help="Where runs live.")]


@runs_app.command("list")
def list_(out: OutDir = Path("outputs"),
          fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table") -> None:
    """Every complete run, oldest first: id, study, creation time, rows, wall time and size on disk."""
    from pipeline.runs.history import list_runs

    if fmt not in ("table", "csv", "json"):
        raise InputError("runs list", [Problem(None, "--format", f"got {fmt!r}, expected table, csv or json")])
    frame = list_runs(out)
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), indent=2))
    else:
        print_frame(frame, title=f"runs under {out}", units={"wall_time_s": "s", "disk_bytes": "B"})


@runs_app.command("prune")
def prune(keep: Annotated[int, typer.Option("--keep", help="Runs of each study to keep, newest first.")],
          out: OutDir = Path("outputs"),
          dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go; remove nothing.")] = False,
          ) -> None:
    """Remove all but the newest --keep complete runs of each study (and folders of dead runs)."""
    from pipeline.runs.history import prune as prune_runs

    gone = prune_runs(out, keep, dry_run)
    verb = "would remove" if dry_run else "removed"
    for run in gone:
        console().print(f"{verb} {run}", markup=False)
    console().print(f"{verb} {len(gone)} run(s); kept the newest {keep} of each study under {out}", markup=False)


@runs_app.command("diff")
def diff(a: Annotated[str, typer.Argument(metavar="A", help="The older run: a run id under --out, or a path.")],
         b: Annotated[str, typer.Argument(metavar="B", help="The newer run: a run id under --out, or a path.")],
         out: OutDir = Path("outputs"),
         fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
         rtol: Annotated[float, typer.Option("--rtol", min=0.0, help="Numbers within this relative difference "
                                                                      "are equal (default: exact).")] = 0.0,
         ) -> None:
    """Rows added, removed and changed (per column) from run A to run B of one study, matched by
    config_id, and the catalog cells that changed between them."""
    from pipeline.runs.diff import diff_runs, render

    if fmt not in ("table", "json"):
        raise InputError("runs diff", [Problem(None, "--format", f"got {fmt!r}, expected table or json")])
    result = diff_runs(a, b, out, rtol)
    if fmt == "json":
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    for line in render(result):
        console().print(line, markup=False)
