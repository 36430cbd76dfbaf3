"""A chunk's build + typed and its collect against its hardware rows (2-40), medians of 5, CPU s: the per-chunk fixed cost. `PYTHONPATH=TREE python chunk_fixed.py`"""
import statistics
import polars as pl
from pipeline.runs import partitions, sizing, narrow
from pipeline.runs.typed import text_codes, typed
import common
from common import cpu
p = common.prepared()
enums, space, side, sp = common.grouped(p)
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
plan = p.study.build(sp, side.head(0))
shape = narrow.layout(p, plan.frame.collect_schema(), None)
flags = partitions.collect_flags(p.study)
for n in (2, 4, 8, 20, 40):
    hw = side.slice(20, n)
    bs, cs, rows = [], [], 0
    for i in range(5):
        c = cpu(); f = typed(p.study.build(sp, hw).frame, "serving", "rid", texts, shape, enums); bs.append(cpu() - c)
        c = cpu(); out = f.collect(optimizations=flags); cs.append(cpu() - c); rows = out.height
    print(n, rows, f"build {statistics.median(bs):.3f} collect {statistics.median(cs):.3f}")
