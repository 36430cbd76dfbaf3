"""The training bench's per-key tables one by one: each ``per_key._table`` call's group (first column), hardware and
model classes, its keys and thread CPU s, over ``runs.run`` of ``mlsys bench --study training``'s spec (1 batch:
7,114,116 rows), then the run's total CPU s.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-trspd/tables.py [BATCHES]
"""
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 1
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))
seen = []
table = per_key._table
lock = threading.Lock()


def timed(group, htable, mtable, rechunk=True):
    c = time.thread_time()
    out = table(group, htable, mtable, rechunk)
    with lock:
        seen.append((time.thread_time() - c, group.columns[0], len(group.columns), htable.height, mtable.height,
                     group.hardware, bool(group.parts)))
    return out


per_key._table = timed
per_key.forget()
d = Path(tempfile.mkdtemp(prefix="trspd-tables-"))
u = resource.getrusage(resource.RUSAGE_SELF)
c0 = u.ru_utime + u.ru_stime
runs.run(prepared, d)
u = resource.getrusage(resource.RUSAGE_SELF)
print(f"{prepared.rows:,} rows; run {u.ru_utime + u.ru_stime - c0:.2f} CPU s; tables (thread CPU s):")
for cpu, first, n, h, m, hw, parts in sorted(seen, key=lambda s: -s[0]):
    print(f"{cpu:6.3f} {first[:40]:40s} cols {n:3d} hw {h:4d} model {m:6d} pairs {h * m:8d} parts {parts} "
          f"hwkeys {','.join(hw)[:150]}")
print(f"total {sum(s[0] for s in seen):.3f}")
shutil.rmtree(d)
