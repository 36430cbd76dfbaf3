"""Prepare the 3 M-row serving bench spec, print 'ready', wait for a file, then run ``runs.run`` N times (for a
profiler attached to this process after the preparation: `bash perf_sweep.sh TREE N`)."""
import gc, os, resource, shutil, sys, tempfile, time
from pathlib import Path
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
batches = max(1, -(-3000000 // probe))
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))
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
