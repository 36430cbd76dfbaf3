"""A block's first build (per-key tables) of the 10 M bench spec, N times (cache let go each time); CPU s each.
With READY GO files: waits for GO after preparing (perf)."""
import sys, time, os
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
n = int(sys.argv[1])
p = C.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
C.first_build_cpu(p, block, enums)
if len(sys.argv) > 3:
    open(sys.argv[2], "w").write("ready\n")
    while not os.path.exists(sys.argv[3]): time.sleep(0.05)
for i in range(n):
    t = time.time(); c = C.first_build_cpu(p, block, enums)
    print(f"first build {c:.3f} CPU s {time.time() - t:.3f} s", flush=True)
