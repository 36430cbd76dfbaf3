"""A block's first plan (its per-key tables built) against the block's size: CPU s and wall of ``study.build`` on
the space of the first N model rows of the 10 M-row serving bench's side (``partitions.block_space``), each size R
times, the per-key cache let go before each: `PYTHONPATH=TREE:. python prologue_size.py R N1 N2 ...`."""
import sys
import time
from dataclasses import replace

import common
from common import cpu
from pipeline.runs import partitions, sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key

r = int(sys.argv[1])
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
for n in map(int, sys.argv[2:]):
    block = p.space.model_side.slice(0, n)
    out = []
    for _ in range(r):
        per_key.forget()
        space = partitions.block_space(p, block, False, enums)
        side = partitions.sorted_side(space, "hardware", frozenset())
        hw = next(iter(sizing.chunks(space, hardware_side=side)))[0]
        c, t = cpu(), time.perf_counter()
        p.study.build(replace(space, grouped_by="hardware"), hw)
        out.append((cpu() - c, time.perf_counter() - t))
    print(f"{n:>7,} model rows: first build " + " ".join(f"{c:.3f}/{w:.3f}" for c, w in out) + " (CPU s / s)")
