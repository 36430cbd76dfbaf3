"""A chunk's collect (hardware rows 20-39 of the bench spec's first block, typed) under polars' optimization flags:
`PYTHONPATH=TREE python flags_cost.py [N]`, medians of N (7), and whether the rows equal the default's."""
import statistics
import sys

import polars as pl

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
frame = typed(p.study.build(sp, side.slice(20, 20)).frame, "serving", "rid", texts, shape, enums, dt)
FLAGS = {"default": partitions.collect_flags(p.study),
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
