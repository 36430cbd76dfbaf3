"""How far the 10 M-row serving bench's two blocks share model classes: for each per-key group (and part) of the
first block's plan, its model keys' distinct rows in block 1, block 2 and the whole model side:
`PYTHONPATH=TREE:. python overlap.py`."""
import common
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key, serving, serving_precomputed as precomputed

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
blocks = list(sizing.model_blocks(p.space, "serving", True))
spaces = [partitions.block_space(p, b, False, enums) for b in blocks]
whole = partitions.block_space(p, p.space.model_side, False, enums)
s = spaces[0]
groups = precomputed.groups(s, serving._computed(s), serving.FORMULAS, serving.SHARED, serving._written(s))
tot = [0, 0]
for g in groups:
    for q in (g, *g.parts, *g.inner, *(i for q in g.parts for i in q.inner)):
        keys = list(q.model)
        n = [sp.model_side.select(keys).n_unique() if keys else 1 for sp in (*spaces, whole)]
        tot[0] += n[0] + n[1]
        tot[1] += n[2]
        print(f"{n[0]:>7,} {n[1]:>7,} {n[2]:>7,}  {'part ' if q is not g else ''}{q.columns[0]} ({len(keys)} keys)")
print("sum of blocks", f"{tot[0]:,}", "whole", f"{tot[1]:,}")
