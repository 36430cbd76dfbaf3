"""Not a test: do two single-threaded processes beat one process on polars' threads? (issue 15; CHANGELOG procs)

    .venv/bin/python -m tests.runs.bench_processes serving 3000000 [rounds]

Alternates ``rounds`` times (default 3) two arrangements of the bench spec (``pipeline.bench.synthetic_spec`` of
about that many rows, as ``mlsys bench``): **whole**, one process sweeping it on polars' default threads; and
**halves**, two processes started at once, each ``POLARS_MAX_THREADS=1`` and given every other accelerator (by
name), each a whole ``runs.prepare`` + ``runs.run`` of its half. The halves have no driver and share nothing: the
best split an executor could make (one would keep a driver process besides). Prints per arrangement the wall time
(start to the last process's end), the CPU seconds of all its processes (user + system, ``os.wait4``: imports,
prepare, sweep, database), each process's peak RSS, and each process's CPU split into imports / prepare / run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(study: str, batches: int, part: str) -> None:
    """Sweep the bench spec of ``batches`` batch sizes (``part`` "k/n": every n-th accelerator from the k-th) and
    print the CPU seconds of its phases as JSON."""
    import shutil
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from pipeline import runs
    from pipeline.bench import packaged_codec, synthetic_spec
    from pipeline.catalogs.load import load_catalogs
    from pipeline.spec import parse_spec

    phases = {"imports": _cpu()}
    spec = parse_spec(synthetic_spec(batches, study) | {"output": {"compression": packaged_codec(study)}}, "bench")
    if part != "all":
        k, n = (int(x) for x in part.split("/"))
        catalogs = load_catalogs()
        names = (catalogs.clusters["accelerator"].unique() if study == "training" else catalogs.hardware["name"])
        spec = replace(spec, axes=replace(spec.axes, hardware=tuple(sorted(names.to_list())[k::n])))
    prepared = runs.prepare(spec)
    phases["prepare"] = _cpu() - sum(phases.values())
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-bench-processes-"))
    try:
        runs.run(prepared, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    phases["run"] = _cpu() - sum(phases.values())
    print(json.dumps({"rows": prepared.rows} | phases))


def arrangement(study: str, batches: int, parts: list[str], threads: str | None) -> str:
    """The processes sweeping ``parts``, started at once: wall, CPU of all, each one's peak and phases."""
    env = dict(os.environ) | ({"POLARS_MAX_THREADS": threads} if threads else {})
    started = time.perf_counter()
    procs = [subprocess.Popen(["nice", sys.executable, "-m", __spec__.name, "--one", study, str(batches), p],
                              env=env, stdout=subprocess.PIPE, text=True) for p in parts]
    usages = [os.wait4(p.pid, 0)[2] for p in procs]
    wall = time.perf_counter() - started
    outs = [json.loads(p.stdout.read().strip().splitlines()[-1]) for p in procs]
    cpu = sum(u.ru_utime + u.ru_stime for u in usages)
    each = "; ".join(f"{o['rows']:,} rows {u.ru_maxrss / 1024:,.0f} MB, CPU imports {o['imports']:.2f} prepare "
                     f"{o['prepare']:.2f} run {o['run']:.2f}" for o, u in zip(outs, usages, strict=True))
    return f"wall {wall:.2f} s, CPU {cpu:.2f} s ({each}); load {os.getloadavg()[0]:.1f}"


def main(study: str, target: int, rounds: int) -> None:
    from pipeline import runs
    from pipeline.bench import synthetic_spec
    from pipeline.spec import parse_spec

    batches = max(1, -(-target // max(runs.prepare(parse_spec(synthetic_spec(1, study), "bench")).rows, 1)))
    for k in range(rounds):
        print(f"{study} round {k + 1} whole (default threads): {arrangement(study, batches, ['all'], None)}")
        print(f"{study} round {k + 1} halves (1 thread each): {arrangement(study, batches, ['0/2', '1/2'], '1')}")


if __name__ == "__main__":
    if sys.argv[1] == "--one":
        one(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
