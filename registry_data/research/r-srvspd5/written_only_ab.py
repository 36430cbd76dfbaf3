"""A block's first build of the 10 M-row serving bench with its space's ``written_only`` (the run's: the per-key
tables without their apart columns) and without (as before), alternated R times, tables threaded as in a run:
`PYTHONPATH=TREE:. python written_only_ab.py R [BLOCK]` (TREE: with `written_only.patch`)."""
import sys

import common
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums

r = int(sys.argv[1])
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = list(sizing.model_blocks(p.space, "serving", True))[int(sys.argv[2]) if len(sys.argv) > 2 else 0]
out = {True: [], False: []}
for _ in range(r):
    for flag in out:
        out[flag].append(common.first_build_cpu(p, block, enums, written_only=flag))
for flag, cs in out.items():
    print(f"written_only={flag!s:5s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f}")
