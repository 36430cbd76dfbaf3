"""The 10 M-row serving bench's first block: its chunks built, typed and collected as the run does (tables built
first, not timed), with the space's ``written_only`` (`written_only.patch`'s run) and without, alternated R times: CPU
s of the chunks' builds + collects: `PYTHONPATH=TREE:. python collects_ab.py [R]` (TREE: with `written_only.patch`).
"""
import sys

import common
from common import cpu
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
out = {True: [], False: []}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    for flag in out:
        plan = common.block_plan(p, block, enums, written_only=flag)
        p.study.build(plan.space, plan.pieces[0])  # its tables
        c = cpu()
        for hw in plan.pieces:
            common.typed_chunk(plan, hw).collect()
        out[flag].append(cpu() - c)
for flag, cs in out.items():
    print(f"written_only={flag!s:5s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f}")
