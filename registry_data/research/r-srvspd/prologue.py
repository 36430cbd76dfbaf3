import sys, time
import polars as pl
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu
prepared = common.prepared()
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
