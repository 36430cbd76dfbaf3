"""Where the sweep's wall goes: `runs.run` of the bench spec with each chunk's build, collect and write timed (wall
and the process's CPU, all threads) from the run's start: `PYTHONPATH=TREE python timeline.py`. A second run in the
process (per-key tables let go first), printed. The stamps (``events``, ``t0``, ``mark``, ``wrap``,
``time_collects``) serve r-srvspd4's timeline10.py too."""
import shutil
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

import common
from common import cpu

events = []
t0 = [0.0, 0.0]  # wall and CPU at the run's start, set in place


def mark(what):
    events.append((time.perf_counter() - t0[0], cpu() - t0[1], threading.current_thread().name[:14], what))


def wrap(mod, name, label):
    """``mod.name`` stamped at its start and end as ``label``."""
    f = getattr(mod, name)

    def g(*a, **k):
        mark(f"{label} start")
        r = f(*a, **k)
        mark(f"{label} end")
        return r
    setattr(mod, name, g)


def time_collects():
    """Every ``LazyFrame.collect`` stamped at its start and end, the end with the rows it returns."""
    collect = pl.LazyFrame.collect

    def timed_collect(self, *a, **k):
        mark("collect start")
        r = collect(self, *a, **k)
        mark(f"collect end {r.height}")
        return r
    pl.LazyFrame.collect = timed_collect


if __name__ == "__main__":
    from pipeline import runs
    from pipeline.runs import narrow, partitions
    from pipeline.studies import per_key

    p = common.prepared()
    wrap(p.study, "build", "build")
    wrap(partitions, "write_parts", "write_parts")
    wrap(narrow, "write_dimensions", "dimensions")
    time_collects()
    for rep in range(2):
        per_key.forget()
        events.clear()
        d = Path(tempfile.mkdtemp(prefix="tl-"))
        t0[:] = [time.perf_counter(), cpu()]
        runs.run(p, d)
        mark("run end")
        shutil.rmtree(d)
    for w, c, th, what in events:
        if "collect" in what and "end 1" == what[-5:]:
            continue
        print(f"{w:6.3f} {c:6.3f} {th:14s} {what}")
