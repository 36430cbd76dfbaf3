"""The sweep's chunks without the prologue and the writer: after the planning build (per-key tables built), each of
the bench spec's 7 chunks built, typed and collected as ``partitions.write_study`` does; CPU s of all 7, medians of N
(5), the first pass's (its first chunk compiles the plan's formulas if the planning build did not) apart:
`PYTHONPATH=TREE python chunks_cpu.py [N]`."""
import statistics
import sys

from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import text_codes, typed
from pipeline.studies import per_key
import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
p = common.prepared()
enums, space, side, sp = common.grouped(p)
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
flags = partitions.collect_flags(p.study)
firsts, rests = [], []
for rep in range(N):
    per_key.forget()
    plan = p.study.build(sp, side.head(0))
    dt = plan.frame.collect_schema()
    shape = narrow.layout(p, dt, None)
    for k in range(2):
        c = cpu()
        for hw, _ in sizing.pieces(sp, "serving", hardware_side=side, key="hardware", cut=False):
            typed(p.study.build(sp, hw).frame, "serving", "rid", texts, shape, enums, dt).collect(optimizations=flags)
        (rests if k else firsts).append(cpu() - c)
print(f"7 chunks: first pass {statistics.median(firsts):.3f}, again {statistics.median(rests):.3f} CPU s")
