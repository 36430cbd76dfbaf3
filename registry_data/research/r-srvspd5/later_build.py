"""A later chunk's build (tables cached) of the 10 M-row serving bench's first block, typed as the run types it:
ms a build (median of N, the block's chunks in turn) and a cProfile of N builds (main thread, by total time):
`PYTHONPATH=TREE:. python later_build.py [N]`."""
import cProfile
import pstats
import sys
import time

import common

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
b = common.first_block(10_000_000)
pieces = b.pieces
b.p.study.build(b.space, pieces[0])


def one(i):
    return common.typed_chunk(b, pieces[i % len(pieces)])


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
