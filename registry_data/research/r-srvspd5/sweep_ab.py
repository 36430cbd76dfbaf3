"""The serving bench's sweep (`runs.run`, no query) at ROWS in one process, variants alternated R times, CPU s of
all threads a run (per-key cache let go before each): `PYTHONPATH=TREE:. python sweep_ab.py R ROWS VARIANT ...`,
a VARIANT `key=value,...` of `written_only` (0/1: the runs' spaces' ``written_only``, r-srvspd5's first attempt,
`written_only.patch`), `max_table` (``per_key.MAX_TABLE_ROWS``), `chunk` (``sizing.CHUNK_ROWS``), or `as-is`."""
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.runs import partitions, sizing
from pipeline.studies import per_key

r, rows, variants = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
p = common.prepared(rows)
block_space, max_table, chunk = partitions.block_space, per_key.MAX_TABLE_ROWS, sizing.CHUNK_ROWS
out = {v: [] for v in variants}
for _ in range(r):
    for v in variants:
        opts = dict(kv.split("=") for kv in v.split(",") if "=" in kv)
        per_key.MAX_TABLE_ROWS = int(opts.get("max_table", max_table))
        sizing.CHUNK_ROWS = int(opts.get("chunk", chunk))
        if "written_only" in opts:
            partitions.block_space = lambda *a, f=bool(int(opts["written_only"])): replace(block_space(*a),
                                                                                           written_only=f)
        else:
            partitions.block_space = block_space
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="sab-"))
        c, t = cpu(), time.perf_counter()
        run = runs.run(p, d)
        out[v].append((cpu() - c, time.perf_counter() - t))
        print(f"{v}: {out[v][-1][0]:.2f} CPU s, {out[v][-1][1]:.2f} s, {len(runs.part_files(run, 'serving'))} parts",
              flush=True)
        shutil.rmtree(d)
for v, cs in out.items():
    c = sorted(x for x, _ in cs)
    print(f"{v:40s} median {c[len(c) // 2]:.2f} CPU s of " + " ".join(f"{x:.2f}" for x, _ in cs))
