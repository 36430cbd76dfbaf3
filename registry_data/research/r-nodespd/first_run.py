"""What the bench's timed work pays once per process: ``mlsys bench --study node``'s steps in one process (prepare,
the compute-only loop, ``per_key.forget()``), then ``runs.run`` + ``design_space_map`` timed REPS times (per-key
tables let go before each, as the bench does), CPU s of the process (all threads). Modules first imported inside the
first repetition are listed.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-nodespd/first_run.py [BATCHES] [REPS]
"""
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import polars as pl

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs.database import run_query
from pipeline.runs.typed import PARTITION_KEY
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


batches = int(sys.argv[1]) if len(sys.argv) > 1 else 11
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
runs.prepare(parse_spec(synthetic_spec(1), "bench"))
per_key.forget()
prepared = runs.prepare(parse_spec(synthetic_spec(batches) | {"output": {"compression": packaged_codec("node")}},
                                   "bench"))
planned = replace(prepared.space, grouped_by=PARTITION_KEY["node"])
for hw_slice, _ in runs.chunks(prepared.space):  # the bench's compute-only loop
    prepared.study.build(planned, hw_slice).frame.select(pl.all().max()).collect()
for rep in range(reps):
    per_key.forget()
    before = set(sys.modules)
    scratch = Path(tempfile.mkdtemp(prefix="nodespd-first-"))
    c, w = cpu(), time.perf_counter()
    run_dir = runs.run(prepared, scratch)
    c1, w1 = cpu(), time.perf_counter()
    run_query("design_space_map", run_dir)
    c2, w2 = cpu(), time.perf_counter()
    shutil.rmtree(scratch)
    new = sorted(m for m in set(sys.modules) - before if not m.startswith("_"))
    print(f"rep {rep + 1}: run {c1 - c:.3f} CPU s ({w1 - w:.3f} s), query {c2 - c1:.3f} CPU s ({w2 - w1:.3f} s), "
          f"end to end {c2 - c:.3f} CPU s; {len(new)} modules first imported: {' '.join(new[:40])}")
