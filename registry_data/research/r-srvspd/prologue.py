import sys, time, resource
import polars as pl
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
batches = max(1, -(-3000000 // probe))
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))
chunks = list(runs.chunks(prepared.space))
res = []
for rep in range(int(sys.argv[2])):
    per_key.forget()
    c = cpu(); lf = prepared.study.build(prepared.space, chunks[0][0]).frame; b = cpu() - c
    c = cpu(); lf.select(pl.all().max()).collect(); f = cpu() - c
    c = cpu(); lf2 = prepared.study.build(prepared.space, chunks[1][0]).frame; b2 = cpu() - c
    c = cpu(); lf2.select(pl.all().max()).collect(); f2 = cpu() - c
    res.append((b, f, b2, f2))
print(sys.argv[1][-8:], " | ".join(" ".join(f"{x:.2f}" for x in r) for r in res))
