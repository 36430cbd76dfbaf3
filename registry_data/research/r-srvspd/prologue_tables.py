"""Each per-key table and `classes` call of the first build (CPU s, the last of 3 builds), nested depth first: `PYTHONPATH=TREE python prologue_tables.py`"""
import time
import polars as pl
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu
orig_table = per_key._table
orig_classes = per_key.classes
log = []
depth = [0]
def table(group, htable, mtable, rechunk=True):
    depth[0] += 1
    c = cpu(); r = orig_table(group, htable, mtable, rechunk); t = cpu() - c
    depth[0] -= 1
    log.append((depth[0], "table", group.columns[0][:30], len(group.columns), htable.height, mtable.height, round(t, 3)))
    return r
def classes(frame, keys):
    c = cpu(); r = orig_classes(frame, keys); t = cpu() - c
    log.append((depth[0], "classes", len(keys), frame.height, r[0].height, round(t, 4)))
    return r
per_key._table = table; per_key.classes = classes
p = common.prepared()
chunks = list(runs.chunks(p.space))
for rep in range(3):
    log.clear(); per_key.forget()
    c = cpu(); p.study.build(p.space, chunks[0][0]); t = cpu() - c
print("build", t)
tc = sum(x[-1] for x in log if x[1] == "classes")
print("classes total", round(tc, 3), sum(1 for x in log if x[1] == "classes"))
for x in log:
    if x[1] == "table" and x[0] <= 1 or x[-1] > 0.01: print(x)
import collections
agg = collections.defaultdict(lambda: [0, 0.0])
for x in log:
    if x[1] == "classes":
        agg[x[3]][0] += 1; agg[x[3]][1] += x[-1]
print(dict(agg))
print(sorted([x for x in log if x[1]=="classes"], key=lambda x: -x[-1])[:30])
