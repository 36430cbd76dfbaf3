"""Prepare the serving bench spec at ROWS (default 10 M), print 'ready', wait for a file, then run ``runs.run`` N
times (for a profiler attached after the preparation: `bash perf10.sh TREE N OUT`): `python attach10.py N GO [ROWS]`."""
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.studies import per_key

p = common.prepared(int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000)
go = Path(sys.argv[2])
print("ready", os.getpid(), flush=True)
while not go.exists():
    time.sleep(0.05)
out = []
for _ in range(int(sys.argv[1])):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="a10-"))
    c = cpu()
    runs.run(p, d)
    out.append(cpu() - c)
    shutil.rmtree(d)
print("cpu", " ".join(f"{c:.2f}" for c in out), flush=True)
