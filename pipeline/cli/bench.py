"""``mlsys bench``: sweep speed end to end on a synthetic spec, or (``--single``) single-configuration
answers side by side with MLSys·im's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import InputError, Problem

STUDIES = ("node", "serving", "training")


def bench(
    rows: Annotated[int | None, typer.Option(
        "--rows", help="Approximate configurations to sweep (default 10,000,000); with --validate, measurement "
                       "rows (default 250).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Scratch directory (default: a temp dir, removed).")] = None,
    study: Annotated[str, typer.Option("--study", help="node, serving or training")] = "node",
    single: Annotated[bool, typer.Option(
        "--single", help="Time single configurations (evaluate, evaluate_serving, evaluate_training, scorecard, "
                         "a cold `mlsys evaluate`, `mlsys --help`) beside MLSys·im's calls.")] = False,
    peers: Annotated[str | None, typer.Option(
        "--peers", help="The Python interpreter that has mlsysim installed, timed beside --single's calls or "
                        "beside a sweep as configurations/s (default: $MLSYS_PEERS_PYTHON; none: ours only).")] = None,
    calls: Annotated[int, typer.Option("--calls", help="Calls per median (--single, and the peer's beside a "
                                                       "sweep).")] = 200,
    load: Annotated[bool, typer.Option(
        "--load", help="Wall 7's closed form (TTFT P50/P99, TPOT under load) against a discrete-event "
                       "simulation of the same continuous-batching policy, 20 loads up to 90 % of capacity.")] = False,
    serve_plan: Annotated[bool, typer.Option(
        "--serve-plan", help="`mlsys serve-plan`'s search: candidate deployments and seconds at 8, 64 and 160 "
                             "GPUs (Llama 3.1 70B on H100).")] = False,
    compression: Annotated[str | None, typer.Option(
        "--compression", help="The sweep's [output] compression (lz4, zstd, snappy, uncompressed; default: the "
                              "study's packaged spec's, zstd).")] = None,
    validate: Annotated[bool, typer.Option(
        "--validate", help="`mlsys validate` end to end, 3 runs, on --rows rows of the measurements catalog "
                           "drawn with a fixed seed: wall seconds and peak RSS.")] = False,
) -> None:
    """Benchmark: sweep a synthetic spec end to end and report rows/s and peak RSS; or, with
    --single, single-configuration answers against their targets and MLSys·im."""
    problems = check_options(rows, study, peers, calls, compression)
    if problems:
        raise InputError("bench", problems)
    if validate:
        from pipeline.bench import validate_benchmark

        for line in validate_benchmark(250 if rows is None else rows):
            typer.echo(line)
        return
    if serve_plan:
        from pipeline.bench import serve_plan_benchmark

        for line in serve_plan_benchmark():
            typer.echo(line)
        return
    if load:
        from pipeline.bench import load_benchmark

        for line in load_benchmark():
            typer.echo(line)
        return
    if single:
        from pipeline.bench import single_benchmark

        for line in single_benchmark(calls, peers or os.environ.get("MLSYS_PEERS_PYTHON") or None):
            typer.echo(line)
        return
    from pipeline.bench import run_benchmark

    for line in run_benchmark(10_000_000 if rows is None else rows, out, study, compression,
                              peers or os.environ.get("MLSYS_PEERS_PYTHON") or None, calls):
        typer.echo(line)


def check_options(rows: int | None, study: str, peers: str | None, calls: int,
                  compression: str | None = None) -> list[Problem]:
    """Every bad option, before anything runs."""
    from pipeline.spec.sections import COMPRESSIONS

    problems = []
    if compression is not None and compression not in COMPRESSIONS:
        problems.append(Problem(None, "--compression", f"got {compression!r}, expected one of "
                                                       f"{', '.join(COMPRESSIONS)}"))
    if rows is not None and rows < 1:
        problems.append(Problem(None, "--rows", f"got {rows}, expected a number of configurations >= 1"))
    if study not in STUDIES:
        problems.append(Problem(None, "--study", f"got {study!r}, expected {', '.join(STUDIES)}"))
    if peers is not None and not Path(peers).is_file():
        problems.append(Problem(None, "--peers", f"no interpreter at {peers}"))
    if calls < 1:
        problems.append(Problem(None, "--calls", f"got {calls}, expected a number of calls >= 1"))
    return problems
