"""CPU s and wall of the 10 M-row serving sweep (`runs.run` of the bench spec) from its start until its first chunk
is handed to the writer (``partitions.write_parts``' first call, where the run is stopped): the first block's plans
and per-key tables, the dimension tables' write beside them. N runs a process, per-key tables let go before each:
`PYTHONPATH=TREE python to_first_part.py [N]`; prints each and the median."""
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.runs import partitions
from pipeline.studies import per_key


class First(Exception):
    pass


def stop(*args, **kwargs):
    raise First


partitions.write_parts = stop
p = common.prepared(10_000_000)
cpus, walls = [], []
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="tf-"))
    c, t = cpu(), time.perf_counter()
    try:
        runs.run(p, d)
    except First:
        pass
    cpus.append(cpu() - c)
    walls.append(time.perf_counter() - t)
    shutil.rmtree(d)
print("CPU s", " ".join(f"{x:.3f}" for x in cpus), f"median {statistics.median(cpus):.3f}; wall",
      " ".join(f"{x:.3f}" for x in walls), f"median {statistics.median(walls):.3f}")
