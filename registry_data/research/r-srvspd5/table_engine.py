"""A block's first build of the 10 M-row serving bench (its per-key tables built) with every collect inside it on
polars' streaming engine (the default) or its in-memory engine, alternated R times: CPU s of the build, and the
decode part of the length-free split's table alone: `PYTHONPATH=TREE:. python table_engine.py R`."""
import sys
from dataclasses import replace

import polars as pl

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

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
        per_key.forget()
        space = partitions.block_space(p, block, False, enums)
        side = partitions.sorted_side(space, "hardware", frozenset())
        hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
        c = cpu()
        p.study.build(replace(space, grouped_by="hardware"), hw)
        out[e].append(cpu() - c)
for e, cs in out.items():
    print(f"{e:9s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f} CPU s")
