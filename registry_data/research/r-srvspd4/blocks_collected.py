"""The serving bench's sweep (`runs.run`, no query) as the tree does it (`as-is`), or (`collected=N`) its model side
cut into blocks of at most N rows, each block's chunks collected whole (not streamed), or (`whole`) not cut nor
streamed: CPU s of all threads, wall, parts and peak RSS of this process:
`PYTHONPATH=TREE python blocks_collected.py [as-is | whole | collected=N] [ROWS]`."""
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.runs import sizing
from pipeline.studies import per_key

how = sys.argv[1] if len(sys.argv) > 1 else "as-is"
p = common.prepared(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000)
if how == "whole" or how.startswith("collected="):
    sizing.STREAMED_ABOVE_MODEL_ROWS["serving"] = 10 ** 9
if how.startswith("collected="):
    cut_blocks = sizing.model_blocks
    sizing.MODEL_BLOCK_ROWS["serving"] = int(how[10:])
    sizing.TWO_BLOCK_ROWS["serving"] = 0
    sizing.model_blocks = lambda space, study, cut: cut_blocks(space, study, True)
per_key.forget()
d = Path(tempfile.mkdtemp(prefix="bc-"))
c, t = cpu(), time.perf_counter()
run = runs.run(p, d)
c, t = cpu() - c, time.perf_counter() - t
parts = len(runs.part_files(run, "serving"))
shutil.rmtree(d)
print(f"{how}: {p.rows:,} rows, {c:.2f} CPU s, {t:.2f} s wall ({c / t:.2f} cores), "
      f"{c / p.rows * 1e6:.3f} us CPU a row, {parts} parts, peak RSS "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
