"""One block's first plan of the 10 M-row serving bench (its per-key tables built, as the sweep's first chunk of a
block builds them): CPU s and wall of ``study.build`` on each block's space (``partitions.block_space``), the blocks
as `runs.run` cuts them, N times each, and with `profile` a cProfile of the last block's build (main thread, by
cumulative time): `PYTHONPATH=TREE python block_prologue.py [N] [profile]`."""
import cProfile
import pstats
import sys
import time
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
cut = sizing.blocked(p.space, "serving") if hasattr(sizing, "blocked") else sizing.streamed(p.space, "serving")
blocks = list(sizing.model_blocks(p.space, "serving", cut))
for i, block in enumerate(blocks):
    for _ in range(n):
        per_key.forget()
        c, t = cpu(), time.perf_counter()
        space = partitions.block_space(p, block, False, enums)
        side = partitions.sorted_side(space, "hardware", frozenset())
        hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
        c1, t1 = cpu(), time.perf_counter()
        p.study.build(replace(space, grouped_by="hardware"), hw)
        print(f"block {i} ({block.height:,} rows): block_space {c1 - c:.3f} CPU s {t1 - t:.3f} s; first build "
              f"{cpu() - c1:.3f} CPU s {time.perf_counter() - t1:.3f} s")
if "profile" in sys.argv:
    per_key.forget()
    space = partitions.block_space(p, blocks[-1], False, enums)
    side = partitions.sorted_side(space, "hardware", frozenset())
    hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
    prof = cProfile.Profile()
    prof.enable()
    p.study.build(replace(space, grouped_by="hardware"), hw)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
