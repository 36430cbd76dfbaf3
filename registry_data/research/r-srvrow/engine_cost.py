"""A chunk's collect (hardware rows 20-39 of the bench spec's first block, typed) on polars' engines: CPU and wall,
medians of N (7), rows compared: `PYTHONPATH=TREE python engine_cost.py [N]`."""
import statistics
import sys
import time

from pipeline.runs import narrow, partitions
from pipeline.runs.typed import text_codes, typed
import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 7
p = common.prepared()
enums, space, side, sp = common.grouped(p)
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
plan = p.study.build(sp, side.head(0))
dt = plan.frame.collect_schema()
shape = narrow.layout(p, dt, None)
flags = partitions.collect_flags(p.study)
frame = typed(p.study.build(sp, side.slice(20, 20)).frame, "serving", "rid", texts, shape, enums, dt)
engines = ("auto", "in-memory", "streaming")
base = frame.collect(optimizations=flags)
for e in engines:
    print(e, "same" if frame.collect(optimizations=flags, engine=e).equals(base) else "DIFFERENT")
res = {e: ([], []) for e in engines}
for _ in range(N):
    for e in engines:
        c, t = cpu(), time.perf_counter()
        frame.collect(optimizations=flags, engine=e)
        res[e][0].append(cpu() - c)
        res[e][1].append(time.perf_counter() - t)
for e, (cs, ws) in res.items():
    print(f"{e:10s} CPU {statistics.median(cs):.3f} wall {statistics.median(ws):.3f}")
