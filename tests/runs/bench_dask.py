"""Not a test: the measurement behind the README's Dask table (issue 15 item 6).

    .venv/bin/python -m tests.runs.bench_dask training 3000000 local
    .venv/bin/python -m tests.runs.bench_dask training 3000000 dask

sweeps ``pipeline.bench.synthetic_spec`` of about that many rows (as ``mlsys bench``) with one
executor (dask: a 2-worker LocalCluster) and prints the run's wall time and the peak RSS of this
process and of each worker. Peak RSS is VmHWM, not ``ru_maxrss``: a worker is forked from this
process and then exec'd, and ``ru_maxrss`` would keep the parent's peak.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec

PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"  # KiB


def main(study: str, target: int, executor: str) -> None:
    probe = runs.prepare(parse_spec(synthetic_spec(1, study), "bench"))
    batches = max(1, -(-target // max(probe.rows, 1)))
    prepared = runs.prepare(parse_spec(synthetic_spec(batches, study), "bench"))
    out = Path(tempfile.mkdtemp(prefix="mlsys-bench-dask-"))
    workers: dict = {}
    try:
        if executor == "local":
            started = time.perf_counter()
            runs.run(prepared, out)
            wall = time.perf_counter() - started
        else:
            from pipeline.runs.dask_executor import dask_executor, task_groups

            with dask_executor(workers=2) as where:
                started = time.perf_counter()
                runs.run(prepared, out, executor=where)
                wall = time.perf_counter() - started
                workers = where.client.run(eval, PEAK)
            print(f"{len(task_groups(prepared, workers=2))} tasks")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"{study} {executor}: {prepared.rows:,} rows in {wall:.1f} s = {prepared.rows / wall:,.0f} rows/s; "
          f"peak RSS this process {eval(PEAK) / 1024:,.0f} MB, workers "
          f"{', '.join(f'{v / 1024:,.0f}' for v in workers.values()) or '-'} MB")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
