"""What the per-key tables' ``apart`` columns (read by query-time columns only: a run's plan gathers none) cost in
a block's first build of the 10 M-row serving bench: the build with every table as now, and (`stripped`) with each
table computed without its apart columns (a monkeypatch of ``per_key._table``), R times each, alternated, serial
tables: `PYTHONPATH=TREE:. python apart_cost.py R [BLOCK]`. Prints how many columns are apart."""
import sys
from dataclasses import replace

import common
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

r = int(sys.argv[1])
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = list(sizing.model_blocks(p.space, "serving", True))[int(sys.argv[2]) if len(sys.argv) > 2 else 0]
per_key.THREADED_PAIRS = 0
table = per_key._table
counted = {}


def strip(group):
    keep = tuple(c for c in group.columns if c not in group.apart)
    parts = tuple(q for q in (replace(q, columns=tuple(c for c in q.columns if c in keep)) for q in group.parts)
                  if q.columns)
    return replace(group, columns=keep, apart=(), parts=parts)


def stripped(group, htable, mtable, rechunk=True):
    counted[group.columns] = (len(group.columns), len(group.apart))
    return table(strip(group), htable, mtable, rechunk) if group.apart else table(group, htable, mtable, rechunk)


def build(how):
    per_key._table = stripped if how == "stripped" else table
    return common.first_build_cpu(p, block, enums)


out = {"now": [], "stripped": []}
for _ in range(r):
    for how in out:
        out[how].append(build(how))
for how, cs in out.items():
    print(f"{how:9s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f} CPU s")
print("groups with apart columns (columns, apart):", [v for v in counted.values() if v[1]])
