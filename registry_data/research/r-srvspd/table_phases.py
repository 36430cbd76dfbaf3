"""Each per-key table of the serving bench spec's first build, split into the Python plan (``Group.compute``), polars'
planning (``LazyFrame.explain``: conversion and optimization) and the collect (CPU s, median of 5 builds):
`PYTHONPATH=TREE python table_phases.py`. A table's parts and inner tables are counted in their own lines, and in
the group's (whose 'collect' then holds their collects too)."""
import collections
import polars as pl
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu


acc = collections.defaultdict(list)
orig = per_key._table


def table(group, htable, mtable, rechunk=True):
    name = (group.columns[0][:34], len(group.columns), htable.height, mtable.height, bool(group.parts),
            len(group.inner))
    if not group.parts:
        pairs = htable.rename({per_key.ID: "__h"}).lazy().join(mtable.rename({per_key.ID: "__m"}).lazy(),
                                                              how="cross", maintain_order="left_right")
        if group.inner:
            pairs = pl.concat([pairs, per_key._assembled(group.inner, htable, mtable)[0].lazy()], how="horizontal")
        c = cpu(); frame, _ = group.compute(pairs); lf = frame.select(group.columns); b = cpu() - c
        c = cpu(); lf.explain(); x = cpu() - c
    else:
        b = x = 0.0
    c = cpu(); r = orig(group, htable, mtable, rechunk); t = cpu() - c
    acc[name].append((b, x, t))
    return r


per_key._table = table
prepared = common.prepared()
chunks = list(runs.chunks(prepared.space))
acc.clear()
total = []
for rep in range(5):
    per_key.forget()
    c = cpu()
    prepared.study.build(prepared.space, chunks[0][0])
    total.append(cpu() - c)
print("build (with the instrumentation's extra plans):", sorted(total)[2])
print("python  plan  table(all)  group")
for k, v in sorted(acc.items(), key=lambda kv: -sorted(x[2] for x in kv[1])[len(kv[1]) // 2]):
    m = [sorted(x[i] for x in v)[len(v) // 2] for i in range(3)]
    if m[2] > 0.004:
        print(" ".join(f"{x:.3f}" for x in m), len(v), k)
