"""Prepare the 3 M-row serving bench spec, print 'ready', wait for a file, then run ``runs.run`` N times (for a
profiler attached to this process after the preparation: `bash perf_sweep.sh TREE N`)."""
import gc, os, shutil, sys, tempfile, time
from pathlib import Path
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu


prepared = common.prepared()
go = Path(sys.argv[2])
print("ready", os.getpid(), flush=True)
while not go.exists():
    time.sleep(0.05)
out = []
for i in range(int(sys.argv[1])):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="swc-"))
    c = cpu()
    runs.run(prepared, d)
    out.append(cpu() - c)
    shutil.rmtree(d)
print("cpu", " ".join(f"{c:.2f}" for c in out), "gc", gc.get_stats(), flush=True)
