import sys, time, collections
import polars as pl
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu
acc = collections.defaultdict(list)
orig = per_key._table
def table(group, htable, mtable, rechunk=True):
    c = cpu(); r = orig(group, htable, mtable, rechunk); acc[(group.columns[0][:40], len(group.columns), htable.height, mtable.height)].append(cpu() - c); return r
per_key._table = table
prepared = common.prepared()
chunks = list(runs.chunks(prepared.space))
acc.clear()
for rep in range(5):
    per_key.forget()
    prepared.study.build(prepared.space, chunks[0][0])
for k, v in sorted(acc.items()):
    v = sorted(v); print(f"{v[len(v)//2]:.3f}", len(v), k)
