"""Of each per-key table of the 10 M bench's first block: its pairs, and how many the block's rows gather."""
import sys
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
import polars as pl
from dataclasses import replace
from pipeline.studies import per_key
b = C.first_block(10_000_000)
orig = per_key._numbered
seen = {}
def spy(space, hardware_side, groups, tables=True):
    hw, model, units, gathers = orig(space, hardware_side, groups, tables)
    if tables and hardware_side is not None and hardware_side.height > 0:
        frame = replace(space, model_side=model).frame(hw)
        for k, (s, idx) in enumerate(gathers):
            key = (s.name, len(s))
            try:
                u = frame.select(idx.unique().alias("i")).collect()["i"]
            except Exception as e:
                print("skip", s.name, e); continue
            seen[key] = pl.concat([seen.get(key, u.head(0)), u]).unique()
    return hw, model, units, gathers
per_key._numbered = spy
for hw in b.pieces:
    b.p.study.build(b.space, hw)
tot_t = tot_u = 0
for (name, n), u in sorted(seen.items(), key=lambda kv: -kv[0][1]):
    print(f"{name[:50]:50s} table {n:9,d} pairs, gathered {u.len():9,d} ({u.len() / n:.0%})")
