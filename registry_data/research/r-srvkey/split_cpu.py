"""CPU s of the 10 M bench's first block's length-free split's table (`per_key._table` of the group in parts, as the
first build computes it), N times in one process: `PYTHONPATH=TREE:. python split_cpu.py N` (trees alternated by
the caller)."""
import resource
import sys

import common as C  # r-srvspd5's helpers by path
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

cap = {}
table = per_key._table


def spy(group, htable, mtable, *a, **k):
    if group.parts and group.columns[0] not in cap:
        cap[group.columns[0]] = (group, htable, mtable)
    return table(group, htable, mtable, *a, **k)


per_key._table = spy
p = C.prepared(10_000_000)
C.first_build_cpu(p, next(sizing.model_blocks(p.space, "serving", True)), text_enums(p.catalogs, "serving"))
per_key._table = table
(g, h, m), = cap.values()


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


xs = []
for _ in range(int(sys.argv[1])):
    c = cpu()
    table(g, h, m)
    xs.append(cpu() - c)
median = sorted(xs)[len(xs) // 2]
print(f"split {h.height} x {m.height}: median {median:.3f} CPU s of", " ".join(f"{x:.3f}" for x in xs))
