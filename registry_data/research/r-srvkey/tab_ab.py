"""On a tree with used_pairs_prune.patch applied: each per-key table the 10 M bench's first block prunes, computed
on all its pairs and on the used ones alone (the rows' pairs), alternated 3 times, min CPU s of each.
`PYTHONPATH=PATCHED_TREE:. python tab_ab.py`."""
import sys

import common as C  # r-srvspd5's helpers by path
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

cap = {}
table = per_key._table


def spy(group, htable, mtable, used=None, rechunk=True):
    if used is not None and group.columns[0] not in cap:
        cap[group.columns[0]] = (group, htable, mtable, used)
    return table(group, htable, mtable, used, rechunk)


per_key._table = spy
p = C.prepared(10_000_000)
C.first_build_cpu(p, next(sizing.model_blocks(p.space, "serving", True)), text_enums(p.catalogs, "serving"))

cpu = C.cpu

for name, (g, h, m, used) in cap.items():
    res = {"all": [], "used": []}
    for _ in range(3):
        for v in res:
            c = cpu()
            table(g, h, m, None if v == "all" else used)
            res[v].append(cpu() - c)
    print(f"{name[:40]:40s} {h.height * m.height:9,d} pairs, used {used.len():9,d}: all {min(res['all']):.3f}, "
          f"used {min(res['used']):.3f} CPU s", flush=True)
sys.exit(0)
