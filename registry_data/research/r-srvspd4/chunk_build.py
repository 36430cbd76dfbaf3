"""A later chunk's plan in the 10 M-row serving sweep (its block's per-key tables cached): ``study.build`` of each
chunk of the first block after the first, as `runs.run` cuts them, CPU s and wall each, then with `profile` a
cProfile of those builds (by own time): `PYTHONPATH=TREE python chunk_build.py [profile]`."""
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

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(iter(sizing.model_blocks(p.space, "serving", True)))
per_key.forget()
space = partitions.block_space(p, block, False, enums)
side = partitions.sorted_side(space, "hardware", frozenset())
grouped = replace(space, grouped_by="hardware")
slices = [hw for hw, _ in sizing.chunks(space, hardware_side=side)]
p.study.build(grouped, slices[0])
times = []
for hw in slices[1:]:
    c, t = cpu(), time.perf_counter()
    p.study.build(grouped, hw)
    times.append((cpu() - c, time.perf_counter() - t, hw.height))
print(" ".join(f"{c * 1e3:.0f}/{w * 1e3:.0f} ms ({n} rows)" for c, w, n in times))
if "profile" in sys.argv:
    prof = cProfile.Profile()
    prof.enable()
    for hw in slices[1:]:
        p.study.build(grouped, hw)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)
