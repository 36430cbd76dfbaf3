"""Where the 10 M-row serving sweep's wall and CPU go (`runs.run` of the bench spec, no query): each block's space
(``partitions.block_space``), each plan's build, each per-key table, the streamed plan's first and last batch, each
write, stamped with wall and the process's CPU (all threads) from the run's start (r-srvrow's timeline.py's stamps):
`PYTHONPATH=TREE python timeline10.py [ROWS]`."""
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.runs import partitions, streamed
from pipeline.studies import per_key

tl = common.load("r-srvrow", "timeline.py")  # events, t0, mark, wrap, time_collects
mark = tl.mark

p = common.prepared(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
tl.wrap(p.study, "build", "build")
tl.wrap(partitions, "block_space", "block_space")
tl.wrap(partitions, "write_parts", "write_parts")
tl.wrap(per_key, "_table", "table")
tl.wrap(per_key, "numbered", "numbered")
pr = streamed.piece_rows


def timed_rows(*a, **k):
    mark("piece_rows start")
    first = True
    for rows in pr(*a, **k):
        if first:
            mark("first piece")
            first = False
        yield rows
    mark("piece_rows end")


streamed.piece_rows = timed_rows
tl.time_collects()
per_key.forget()
d = Path(tempfile.mkdtemp(prefix="tl10-"))
tl.t0[:] = [time.perf_counter(), cpu()]
runs.run(p, d)
mark("run end")
shutil.rmtree(d)
last = None
for w, c, th, what in tl.events:
    if what.startswith("collect") and th != "MainThread" or what.startswith("collect end") and int(what[12:]) < 1000:
        continue
    if what.startswith("write_parts") or what.startswith("table"):
        key = what
        if last == key:
            continue
        last = key
    else:
        last = None
    print(f"{w:6.3f} {c:6.3f} {th:14s} {what}")
