"""A chunk's collect (hardware rows 20-39 of the bench spec's first block, typed) on polars' engines: CPU and wall,
medians of N (7), rows compared: `PYTHONPATH=TREE python engine_cost.py [N]`."""
import statistics
import sys
import time

import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 7
ctx = common.chunk_context()
p, sp, side = ctx.p, ctx.sp, ctx.side
flags = ctx.flags
frame = common.typed_chunk(ctx, side.slice(20, 20))
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
