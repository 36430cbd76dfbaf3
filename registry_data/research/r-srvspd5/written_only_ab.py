"""A block's first build of the 10 M-row serving bench with its space's ``written_only`` (the run's: the per-key
tables without their apart columns) and without (as before), alternated R times, tables threaded as in a run:
`PYTHONPATH=TREE:. python written_only_ab.py R [BLOCK]` (TREE: with `written_only.patch`)."""
import sys
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

r = int(sys.argv[1])
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = list(sizing.model_blocks(p.space, "serving", True))[int(sys.argv[2]) if len(sys.argv) > 2 else 0]
out = {True: [], False: []}
for _ in range(r):
    for flag in out:
        per_key.forget()
        space = replace(partitions.block_space(p, block, False, enums), written_only=flag)
        side = partitions.sorted_side(space, "hardware", frozenset())
        hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
        c = cpu()
        p.study.build(replace(space, grouped_by="hardware"), hw)
        out[flag].append(cpu() - c)
for flag, cs in out.items():
    print(f"written_only={flag!s:5s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f}")
