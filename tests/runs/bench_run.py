"""Not a test: the measurements behind issue 15's disk and memory figures (CHANGELOG, README "Speed").

    .venv/bin/python -m tests.runs.bench_run node 30000000 [zstd]   # one run: B/row, CPU s, peak RSS
    .venv/bin/python -m tests.runs.bench_run --same RUN_A RUN_B      # two runs' rows equal (run_id aside)

The first sweeps ``pipeline.bench.synthetic_spec`` of about that many rows (as ``mlsys bench``, without
its compute-only pass and query; the one-batch probe that sizes the spec is dropped first, so that the peak is
the sweep's) with that ``[output] compression`` into a temporary folder and prints
bytes per row (fact parts and dimension tables), CPU seconds and peak RSS of this process and the load
average; the second compares the rows ``scan_run`` gives of two runs (every column, ``config_id`` too).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_run(study: str, target: int, compression: str) -> str:
    probe = runs.prepare(parse_spec(synthetic_spec(1, study), "bench")).rows
    per_key.forget()  # the probe's sides, which its cache entries hold: the sweep measured holds its own only
    batches = max(1, -(-target // max(probe, 1)))
    prepared = runs.prepare(parse_spec(synthetic_spec(batches, study) | {"output": {"compression": compression}},
                                       "bench"))
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-bench-run-"))
    try:
        cpu, wall = _cpu(), time.perf_counter()
        run_dir = runs.run(prepared, scratch)
        cpu, wall = _cpu() - cpu, time.perf_counter() - wall
        files = [*runs.part_files(run_dir, study), *(run_dir / "dimensions").glob(f"{study}-*.parquet")]
        size = sum(p.stat().st_size for p in files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (f"{study} {compression}: {prepared.rows:,} rows, {size / prepared.rows:.1f} B/row, {cpu:.2f} CPU s, "
            f"{wall:.2f} s wall, peak RSS {peak:,.0f} MB, load average {os.getloadavg()[0]:.1f}")


def same(a: str, b: str) -> str:
    first, second = (runs.scan_run(r).collect().drop("run_id").sort("config_id") for r in (a, b))
    return f"{first.shape} {second.shape} {'identical' if first.equals(second) else 'DIFFERENT'}"


if __name__ == "__main__":
    if sys.argv[1] == "--same":
        print(same(sys.argv[2], sys.argv[3]))
    else:
        print(one_run(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else packaged_codec(sys.argv[1])))
