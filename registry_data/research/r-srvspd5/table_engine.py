"""A block's first build of the 10 M-row serving bench (its per-key tables built) with every collect inside it on
polars' streaming engine (the default) or its in-memory engine, alternated R times: CPU s of the build, and the
decode part of the length-free split's table alone: `PYTHONPATH=TREE:. python table_engine.py R`."""
import sys

import polars as pl

import common
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums

r = int(sys.argv[1])
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
collect = pl.LazyFrame.collect
engine = ["auto"]


def engined(self, *a, **k):
    k.setdefault("engine", engine[0])
    return collect(self, *a, **k)


pl.LazyFrame.collect = engined
out = {"auto": [], "in-memory": []}
for _ in range(r):
    for e in out:
        engine[0] = e
        out[e].append(common.first_build_cpu(p, block, enums))
for e, cs in out.items():
    print(f"{e:9s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f} CPU s")
