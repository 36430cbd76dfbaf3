"""The decode part of the 10 M bench's first block's length-free split on all its pairs and on every STEP-th pair
(STEP 2: 50 %, 20: 5 %), alternated 3 times, CPU s; on a tree with used_pairs_prune.patch applied
(its ``_table(used=)``).
`PYTHONPATH=PATCHED_TREE:. python part_prune.py STEP`."""
import sys
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
import polars as pl
from pipeline.studies import per_key
p = C.prepared(10_000_000)
cap = C.split_tables(p)  # each per-key group in parts, as the first build meets it
table = per_key._table
cpu = C.cpu
g, h, m = cap["compression_ratio"]
part = [q for q in g.parts if q.columns[0] == "pp_crossing_boundaries"][0]
hs, _ = per_key.classes(h, part.hardware); ms, _ = per_key.classes(m, part.model)
n = hs.height * ms.height
half = pl.int_range(0, n, int(sys.argv[1]) if len(sys.argv) > 1 else 2, dtype=pl.UInt32, eager=True)
for frac, used in [("all", None), ("half", half), ("all", None), ("half", half), ("all", None), ("half", half)]:
    c = cpu(); table(part, hs, ms, used, rechunk=False); print(frac, f"{cpu() - c:.3f}", flush=True)
