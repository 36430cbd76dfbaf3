"""Where the 10 M-row serving sweep's wall and CPU go (`runs.run` of the bench spec, no query): each block's space
(``partitions.block_space``), each plan's build, each per-key table, the streamed plan's first and last batch, each
write, stamped with wall and the process's CPU (all threads) from the run's start:
`PYTHONPATH=TREE python timeline10.py [ROWS]`."""
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

import common
from common import cpu
from pipeline import runs
from pipeline.runs import partitions, streamed
from pipeline.studies import per_key

events = []
t0 = [0.0, 0.0]


def mark(what):
    events.append((time.perf_counter() - t0[0], cpu() - t0[1], threading.current_thread().name[:14], what))


def wrap(mod, name, label, quiet=False):
    f = getattr(mod, name)

    def g(*a, **k):
        mark(f"{label} start")
        r = f(*a, **k)
        mark(f"{label} end")
        return r
    setattr(mod, name, g)


p = common.prepared(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
build = p.study.build


def timed_build(*a, **k):
    mark("build start")
    r = build(*a, **k)
    mark("build end")
    return r


p.study.build = timed_build
wrap(partitions, "block_space", "block_space")
wrap(partitions, "write_parts", "write_parts")
wrap(per_key, "_table", "table")
wrap(per_key, "numbered", "numbered")
pr = streamed.piece_rows


def timed_rows(*a, **k):
    mark("piece_rows start")
    first = True
    for rows in pr(*a, **k):
        if first:
            mark("first piece")
            first = False
        yield rows
    mark("piece_rows end")


streamed.piece_rows = timed_rows
collect = pl.LazyFrame.collect


def timed_collect(self, *a, **k):
    mark("collect start")
    r = collect(self, *a, **k)
    mark(f"collect end {r.height}")
    return r


pl.LazyFrame.collect = timed_collect
per_key.forget()
d = Path(tempfile.mkdtemp(prefix="tl10-"))
t0[:] = [time.perf_counter(), cpu()]
runs.run(p, d)
mark("run end")
shutil.rmtree(d)
last = None
for w, c, th, what in events:
    if what.startswith("collect") and th != "MainThread" or what.startswith("collect end") and int(what[12:]) < 1000:
        continue
    if what.startswith("write_parts") or what.startswith("table"):
        key = what
        if last == key:
            continue
        last = key
    else:
        last = None
    print(f"{w:6.3f} {c:6.3f} {th:14s} {what}")
