"""The 10 M-row serving bench's first block: its chunks built, typed and collected as the run does (tables built
first, not timed), with the space's ``written_only`` (`written_only.patch`'s run) and without, alternated R times: CPU
s of the chunks' builds + collects: `PYTHONPATH=TREE:. python collects_ab.py [R]` (TREE: with `written_only.patch`).
"""
import sys
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import text_codes, text_enums, typed
from pipeline.studies import per_key

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
texts = text_codes([p.space.hardware_side, p.space.model_side], ())
out = {True: [], False: []}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    for flag in out:
        per_key.forget()
        space = replace(partitions.block_space(p, block, False, enums), grouped_by="hardware", written_only=flag)
        side = partitions.sorted_side(space, "hardware", frozenset())
        plan = p.study.build(space, side.head(0))
        dtypes = plan.frame.collect_schema()
        shape = narrow.layout(p, dtypes, None)
        pieces = [hw for hw, _ in sizing.pieces(space, "serving", hardware_side=side, key="hardware", cut=False)]
        p.study.build(space, pieces[0])  # its tables
        c = cpu()
        for hw in pieces:
            typed(p.study.build(space, hw).frame, "serving", "rid", texts, shape, enums, dtypes).collect()
        out[flag].append(cpu() - c)
for flag, cs in out.items():
    print(f"written_only={flag!s:5s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f}")
