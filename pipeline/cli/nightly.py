"""``mlsys nightly``: every study over the whole registry, published, diffed, reported and pruned."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import ExecutorOpt, SchedulerOpt, WorkersOpt, executor_context


def nightly(
    out: Annotated[Path, typer.Option("--out", help="Where runs live.")] = Path("outputs"),
    config: Annotated[Path | None, typer.Option("--config", help="Nightly configuration (TOML; default: the "
                                                                 "packaged pipeline/nightly.toml).")] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="User catalog directory (default: "
                                                                     "$MLSYS_REGISTRY, else the bundled "
                                                                     "catalogs).")] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write each run's charts.")] = True,
    reuse: Annotated[bool, typer.Option("--reuse/--no-reuse", help="Reuse the partitions of the previous run "
                                                                   "whose inputs (catalog rows, spec, code) did "
                                                                   "not change; --no-reuse computes all.")] = True,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Sweep every study of the nightly configuration, publish each run as current, diff it against
    the previous one, write its charts, list stale catalog rows and prune old runs. Exit 0: all well;
    3: finished with warnings; 4: another nightly is running; 1: a step failed."""
    from pipeline import nightly as night
    from pipeline.cli.output import console

    try:
        with executor_context(executor, scheduler, workers) as where:
            done = night.run(out, config, registry, say=lambda line: console().print(line, markup=False),
                             reports=report, reuse=reuse, executor=where)
    except night.NightlyLocked as exc:
        console(stderr=True).print(f"error: {exc}", markup=False)
        raise typer.Exit(night.LOCKED) from None
    for warning in done.warnings:
        console(stderr=True).print(f"warning: {warning}", markup=False)
    console().print(f"summary: {done.summary}", markup=False)
    raise typer.Exit(done.exit_code)
