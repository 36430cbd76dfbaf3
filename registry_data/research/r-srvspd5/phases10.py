"""Where the 10 M-row serving sweep's CPU goes, phase by phase: `runs.run` of the bench spec with the writer made
synchronous (``partitions.ThreadPoolExecutor`` replaced by one running each job at submit), so that the process's
CPU (all threads) between stamps is one phase's: each block's space, each plan's build (the first per block: its
per-key tables), each chunk's collect, each write, the dimension tables; the rest (database, manifest) by difference:
`PYTHONPATH=TREE:. python phases10.py [ROWS] [REPEATS]`."""
import shutil
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path

import polars as pl

import common
from common import cpu
from pipeline import runs
from pipeline.runs import narrow, partitions
from pipeline.studies import per_key

spent = defaultdict(float)
count = defaultdict(int)
first = [True]


depth = [0]  # phases running: a phase inside another (a per-key table's collect in a build) is the outer one's


def timed(mod, name, label):
    f = getattr(mod, name)

    def g(*a, **k):
        if depth[0]:
            return f(*a, **k)
        depth[0] += 1
        c = cpu()
        try:
            r = f(*a, **k)
        finally:
            depth[0] -= 1
        key = label() if callable(label) else label
        spent[key] += cpu() - c
        count[key] += 1
        return r
    setattr(mod, name, g)


class Now:
    """A ThreadPoolExecutor that runs each job when it is submitted."""
    def __init__(self, *a, **k):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def submit(self, fn, *a, **k):
        f = Future()
        try:
            f.set_result(fn(*a, **k))
        except BaseException as e:  # noqa: BLE001
            f.set_exception(e)
        return f

    def shutdown(self, *a, **k):
        pass


partitions.ThreadPoolExecutor = Now
p = common.prepared(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)


def build_label():
    label = "build (first of a block)" if first[0] else "build (later)"
    first[0] = False
    return label


def space_label():
    first[0] = True
    return "block_space"


timed(partitions, "block_space", space_label)
timed(p.study, "build", build_label)
timed(partitions, "write_parts", "write_parts")
timed(narrow, "write_dimensions", "dimension tables")
timed(pl.LazyFrame, "collect", "collects (chunks, and any other outside a phase)")
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1):
    spent.clear()
    count.clear()
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="ph10-"))
    c = cpu()
    runs.run(p, d)
    total = cpu() - c
    shutil.rmtree(d)
    for k, v in spent.items():
        print(f"{v:7.3f} CPU s  {count[k]:3d}x  {k}")
    print(f"{total - sum(spent.values()):7.3f} CPU s"
          f"        the rest (database, manifest, ...); total {total:.3f}")
