"""Options several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RegistryOpt = Annotated[Path | None, typer.Option(
    "--registry", help="User catalog directory (default: $MLSYS_REGISTRY, else the bundled catalogs).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output directory (default: the spec's, outputs/).")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help='What-if: table.column="value unit", e.g. hardware.memory_bandwidth_bytes_per_s="4 TB/s" '
                  "(repeatable; every row of the column), as in [overrides] of a spec.")]
MeasuredOpt = Annotated[Path | None, typer.Option(
    "--measured", help="CSV of measurements (the measurements catalog's columns); default: the catalog.")]
ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help="Where partitions are computed: local (this process) or dask (tasks on Dask distributed: "
                       "a LocalCluster, or --scheduler; pip install 'mlsys-pipeline[dask]').")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="With --executor dask: the address of a running Dask scheduler (tcp://host:8786, e.g. "
                        "a dask-jobqueue SLURMCluster's); default: a LocalCluster on this machine.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, help="With --executor dask and no --scheduler: LocalCluster worker processes (default: "
                             "one per core).")]


def executor_context(executor: str, scheduler: str | None, workers: int | None):
    """A context manager giving what ``runs.run(executor=...)`` takes: None (local) or a Dask executor."""
    from contextlib import nullcontext

    from pipeline.errors import InputError, Problem
    from pipeline.runs.dask_executor import EXECUTORS, dask_executor

    if executor not in EXECUTORS:
        raise InputError("command line", [Problem(None, "--executor", f"got {executor!r}, expected one of "
                                                                      f"{', '.join(EXECUTORS)}")])
    if executor == "local":
        given = [o for o, v in (("--scheduler", scheduler), ("--workers", workers)) if v is not None]
        if given:
            raise InputError("command line", [Problem(None, o, "only with --executor dask") for o in given])
        return nullcontext(None)
    return dask_executor(scheduler, workers)
