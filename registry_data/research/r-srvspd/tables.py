import sys, time, resource, collections
import polars as pl
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
acc = collections.defaultdict(list)
orig = per_key._table
def table(group, htable, mtable, rechunk=True):
    c = cpu(); r = orig(group, htable, mtable, rechunk); acc[(group.columns[0][:40], len(group.columns), htable.height, mtable.height)].append(cpu() - c); return r
per_key._table = table
probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
batches = max(1, -(-3000000 // probe))
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))
chunks = list(runs.chunks(prepared.space))
acc.clear()
for rep in range(5):
    per_key.forget()
    prepared.study.build(prepared.space, chunks[0][0])
for k, v in sorted(acc.items()):
    v = sorted(v); print(f"{v[len(v)//2]:.3f}", len(v), k)
