"""cProfile (main thread, by cumulative time) of a block's first build on the first N model rows of the 10 M-row
serving bench (its fixed cost: what does not grow with the block): `PYTHONPATH=TREE:. python tiny_profile.py [N]`."""
import cProfile
import pstats
import sys
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = p.space.model_side.slice(0, int(sys.argv[1]) if len(sys.argv) > 1 else 100)
for i in range(4):
    per_key.forget()
    c = cpu()
    space = partitions.block_space(p, block, False, enums)
    side = partitions.sorted_side(space, "hardware", frozenset())
    hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
    prof = cProfile.Profile()
    prof.enable()
    p.study.build(replace(space, grouped_by="hardware"), hw)
    prof.disable()
    print(f"block_space + build {cpu() - c:.3f} CPU s")
pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
