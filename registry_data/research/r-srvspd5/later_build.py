"""A later chunk's build (tables cached) of the 10 M-row serving bench's first block, typed as the run types it:
ms a build (median of N, the block's chunks in turn) and a cProfile of N builds (main thread, by total time):
`PYTHONPATH=TREE:. python later_build.py [N]`."""
import cProfile
import pstats
import sys
import time
from dataclasses import replace

import common
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import text_codes, text_enums, typed
from pipeline.studies import per_key

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
per_key.forget()
space = replace(partitions.block_space(p, block, False, enums), grouped_by="hardware")
side = partitions.sorted_side(space, "hardware", frozenset())
texts = text_codes([p.space.hardware_side, p.space.model_side], ())
plan = p.study.build(space, side.head(0))
dtypes = plan.frame.collect_schema()
shape = narrow.layout(p, dtypes, None)
pieces = [hw for hw, _ in sizing.pieces(space, "serving", hardware_side=side, key="hardware", cut=False)]
p.study.build(space, pieces[0])


def one(i):
    return typed(p.study.build(space, pieces[i % len(pieces)]).frame, "serving", "rid", texts, shape, enums, dtypes)


took = []
for i in range(n):
    t = time.thread_time()
    one(i)
    took.append(time.thread_time() - t)
print(f"{len(pieces)} chunks; a later build + typed: median {sorted(took)[n // 2] * 1e3:.1f} ms (thread CPU)")
prof = cProfile.Profile()
prof.enable()
for i in range(n):
    one(i)
prof.disable()
pstats.Stats(prof).sort_stats("tottime").print_stats(25)
