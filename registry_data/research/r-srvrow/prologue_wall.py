"""The sweep's first plan (``partitions.write_study``'s ``study.build(planned, side.head(0))``: every per-key table
built, ``per_key.forget()`` first), wall and CPU s (all threads), medians of N (7) in one process:
`PYTHONPATH=TREE python prologue_wall.py [N]`."""
import statistics
import sys
import time

from pipeline.studies import per_key
import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 7
p = common.prepared()
enums, space, side, sp = common.grouped(p)
walls, cpus = [], []
for _ in range(N):
    per_key.forget()
    c, t = cpu(), time.perf_counter()
    p.study.build(sp, side.head(0))
    walls.append(time.perf_counter() - t)
    cpus.append(cpu() - c)
print(f"wall {statistics.median(walls):.3f} (min {min(walls):.3f})  CPU {statistics.median(cpus):.3f} "
      f"(min {min(cpus):.3f})")
