"""The 10 M-row serving bench's second block's first build after the first block's, with what the tree's
``partitions.block_space`` keeps between blocks (`kept`) and with the per-key cache emptied whole before it
(`forgotten`, as before r-srvspd5), alternated R times: CPU s of block_space + the build:
`PYTHONPATH=TREE:. python second_block.py [R]`."""
import sys
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
blocks = list(sizing.model_blocks(p.space, "serving", True))


def first_build(block, forget=False):
    c = cpu()
    space = partitions.block_space(p, block, False, enums)
    if forget:
        per_key.forget()
    side = partitions.sorted_side(space, "hardware", frozenset())
    hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
    p.study.build(replace(space, grouped_by="hardware"), hw)
    return cpu() - c


out = {"kept": [], "forgotten": []}
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    for how in out:
        per_key.forget()
        first_build(blocks[0])
        out[how].append(first_build(blocks[1], how == "forgotten"))
for how, cs in out.items():
    print(f"{how:9s} " + " ".join(f"{c:.3f}" for c in cs) + f"  median {sorted(cs)[len(cs) // 2]:.3f} CPU s")
