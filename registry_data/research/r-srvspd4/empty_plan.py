"""What r-srvspd4's second change takes off the 10 M-row serving sweep: the plan of units and dtypes built on no
model row (``partitions.write_study`` before it, where the model side is cut into blocks), CPU s and wall of the
build alone on the first block's space, per-key tables let go before each; N times, each and the median:
`PYTHONPATH=TREE python empty_plan.py [N]`."""
import statistics
import sys
import time
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(iter(sizing.model_blocks(p.space, "serving", True)))
cpus, walls = [], []
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 7):
    per_key.forget()
    space = partitions.block_space(p, block, False, enums)
    side = partitions.sorted_side(space, "hardware", frozenset())
    c, t = cpu(), time.perf_counter()
    p.study.build(replace(space, model_side=space.model_side.head(0)), side.head(0))
    cpus.append(cpu() - c)
    walls.append(time.perf_counter() - t)
print("CPU s", " ".join(f"{x:.3f}" for x in cpus), f"median {statistics.median(cpus):.3f}; wall",
      " ".join(f"{x:.3f}" for x in walls), f"median {statistics.median(walls):.3f}")
