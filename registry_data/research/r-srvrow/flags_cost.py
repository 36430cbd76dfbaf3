"""A chunk's collect (hardware rows 20-39 of the bench spec's first block, typed) under polars' optimization flags:
`PYTHONPATH=TREE python flags_cost.py [N]`, medians of N (7), and whether the rows equal the default's."""
import statistics
import sys

import polars as pl

import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 7
ctx = common.chunk_context()
p, sp, side = ctx.p, ctx.sp, ctx.side
frame = common.typed_chunk(ctx, side.slice(20, 20))
FLAGS = {"default": ctx.flags,
         "no CSE": pl.QueryOptFlags(comm_subexpr_elim=False),
         "no subplan": pl.QueryOptFlags(comm_subplan_elim=False),
         "no simplify": pl.QueryOptFlags(simplify_expression=False)}
res = {k: [] for k in FLAGS}
base = frame.collect(optimizations=FLAGS["default"])
for k, f in FLAGS.items():
    out = frame.collect(optimizations=f)
    print(k, "same" if out.equals(base) else "DIFFERENT")
for _ in range(N):
    for k, f in FLAGS.items():
        c = cpu(); frame.collect(optimizations=f); res[k].append(cpu() - c)
for k, v in res.items():
    print(f"{k:12s} {statistics.median(v):.3f} CPU s")
