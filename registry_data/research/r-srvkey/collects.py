"""The 10 M bench's first block's first 4 chunks (typed, as the run) collected twice (perf.sh records this part):
`PYTHONPATH=TREE:. python collects.py [READY GO]`: with READY and GO, writes READY once prepared and waits for GO."""
import sys, time, os
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
b = C.first_block(10_000_000)
lfs = [C.typed_chunk(b, hw) for hw in b.pieces[:4]]
lfs[0].collect()
if len(sys.argv) > 1: open(sys.argv[1], "w").write("ready\n")
if len(sys.argv) > 2:
    while not os.path.exists(sys.argv[2]): time.sleep(0.05)
c = C.cpu(); t = time.time(); n = 0
for r in range(2):
    for lf in lfs: n += lf.collect().height
print("collects", n, "rows", time.time() - t, "s", C.cpu() - c, "CPU s")
