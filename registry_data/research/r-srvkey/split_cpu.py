"""CPU s of the 10 M bench's first block's length-free split's table (`per_key._table` of the group in parts, as the
first build computes it), N times in one process: `PYTHONPATH=TREE:. python split_cpu.py N` (trees alternated by
the caller)."""
import sys

import common as C  # r-srvspd5's helpers by path
from pipeline.studies import per_key

p = C.prepared(10_000_000)
cap = C.split_tables(p)  # each per-key group in parts, as the first build meets it
table = per_key._table
(g, h, m), = cap.values()

cpu = C.cpu

xs = []
for _ in range(int(sys.argv[1])):
    c = cpu()
    table(g, h, m)
    xs.append(cpu() - c)
median = sorted(xs)[len(xs) // 2]
print(f"split {h.height} x {m.height}: median {median:.3f} CPU s of", " ".join(f"{x:.3f}" for x in xs))
