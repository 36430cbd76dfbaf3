"""Where the serving sweep's peak RSS is: `runs.run` of the bench spec at ROWS (default 30 M, zstd, no query), a
thread sampling this process's RSS every 20 ms, each sample tagged with the main thread's last event (a block's space,
a plan's build, a chunk's collect) and the writer's (a part's write, the dimension tables); prints the 12 highest
samples and the peak RSS; `first`: the dimension tables written before the first chunk whatever the model side
(``sizing.OVERLAP_DIMENSIONS_MAX_MODEL_ROWS`` 0); `chunk=N`: chunks of about N joined rows (``sizing.CHUNK_ROWS``);
also the run's CPU s: `PYTHONPATH=TREE python rss_phases.py [ROWS] [first] [chunk=N]`."""
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

import common
from pipeline import runs
from pipeline.runs import narrow, partitions, sizing
from pipeline.studies import per_key

PAGE = os.sysconf("SC_PAGE_SIZE")
last = {"main": "start", "writer": "-"}
samples = []
done = threading.Event()


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def sampler():
    t0 = time.perf_counter()
    while not done.is_set():
        samples.append((rss_mb(), time.perf_counter() - t0, last["main"], last["writer"]))
        time.sleep(0.02)


def tag(mod, name, who, label):
    f = getattr(mod, name)

    def g(*a, **k):
        last[who] = f"{label} start"
        r = f(*a, **k)
        last[who] = f"{label} end"
        return r
    setattr(mod, name, g)


p = common.prepared(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000_000)
for arg in sys.argv[2:]:
    if arg.startswith("chunk="):
        sizing.CHUNK_ROWS = int(arg[6:])
if "first" in sys.argv:
    sizing.OVERLAP_DIMENSIONS_MAX_MODEL_ROWS = 0
tag(partitions, "block_space", "main", "block_space")
tag(partitions, "write_parts", "writer", "write_parts")
tag(narrow, "write_dimensions", "writer", "dimensions")
build = p.study.build


def tagged_build(*a, **k):
    last["main"] = "build start"
    r = build(*a, **k)
    last["main"] = "build end"
    return r


p.study.build = tagged_build
collect = pl.LazyFrame.collect


def tagged_collect(self, *a, **k):
    if threading.current_thread() is threading.main_thread():
        last["main"] = "collect start"
    r = collect(self, *a, **k)
    if threading.current_thread() is threading.main_thread():
        last["main"] = f"collect end {r.height}"
    return r


pl.LazyFrame.collect = tagged_collect
per_key.forget()
d = Path(tempfile.mkdtemp(prefix="rss-"))
thread = threading.Thread(target=sampler, daemon=True)
print(f"prepared: {rss_mb():,.0f} MB")
thread.start()
c = common.cpu()
runs.run(p, d)
c = common.cpu() - c
done.set()
thread.join()
shutil.rmtree(d)
for mb, t, main, writer in sorted(samples, reverse=True)[:12]:
    print(f"{mb:7,.0f} MB at {t:6.2f} s: main {main}; writer {writer}")
print(f"{c:.2f} CPU s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
