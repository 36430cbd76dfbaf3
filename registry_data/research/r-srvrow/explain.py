"""A chunk's optimized plan as the run collects it (typed): `PYTHONPATH=TREE python explain.py > FILE`."""
from pipeline.runs import narrow, partitions
from pipeline.runs.typed import text_codes, typed
import common

p = common.prepared()
enums, space, side, sp = common.grouped(p)
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
plan = p.study.build(sp, side.head(0))
dt = plan.frame.collect_schema()
shape = narrow.layout(p, dt, None)
print(shape)
frame = typed(p.study.build(sp, side.slice(20, 20)).frame, "serving", "rid", texts, shape, enums, dt)
print(frame.explain(optimizations=partitions.collect_flags(p.study)))
