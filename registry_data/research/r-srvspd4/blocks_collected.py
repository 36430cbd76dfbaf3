"""The serving bench's sweep (`runs.run`, no query) as the tree does it (`as-is`), or (`collected=N`) its model side
cut into blocks of at most N rows, each block's chunks collected whole (not streamed), or (`whole`) not cut nor
streamed: CPU s of all threads, wall, parts and peak RSS of this process:
`PYTHONPATH=TREE python blocks_collected.py [as-is | whole | collected=N] [ROWS]`."""
import sys

import common
from pipeline.runs import sizing

ten_million = common.load("r-srvspd3", "ten_million.py")  # its measure(): the run, CPU, wall, parts, peak RSS

how = sys.argv[1] if len(sys.argv) > 1 else "as-is"
p = common.prepared(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000)
if how == "whole" or how.startswith("collected="):
    sizing.STREAMED_ABOVE_MODEL_ROWS["serving"] = 10 ** 9
if how.startswith("collected="):
    cut_blocks = sizing.model_blocks
    sizing.MODEL_BLOCK_ROWS["serving"] = int(how[10:])
    sizing.TWO_BLOCK_ROWS["serving"] = 0
    sizing.model_blocks = lambda space, study, cut: cut_blocks(space, study, True)
ten_million.measure(p, how, "bc-")
