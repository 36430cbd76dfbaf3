"""Time in Python's cyclic GC during runs.run + fits on the 3 M bench spec (gc.callbacks), per generation, for N runs:
PYTHONPATH=TREE python gc_cost.py N"""
import gc, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-srvspd"))
from common import prepared
from pipeline import runs
from pipeline.runs.database import run_query
from pipeline.studies import per_key
p = prepared()
acc, start = {}, {}
def cb(phase, info):
    if phase == "start":
        start["t"] = time.thread_time()
    else:
        g = info["generation"]
        n, t = acc.get(g, (0, 0.0))
        acc[g] = (n + 1, t + time.thread_time() - start["t"])
print("tracked objects after prepare:", len(gc.get_objects()))
gc.callbacks.append(cb)
for rep in range(int(sys.argv[1])):
    per_key.forget()
    acc.clear()
    d = Path(tempfile.mkdtemp(prefix="srv3m-gc-"))
    rd = runs.run(p, d); run_query("fits", rd)
    shutil.rmtree(d)
    print({g: (n, round(t, 4)) for g, (n, t) in sorted(acc.items())}, "total",
          round(sum(t for _, t in acc.values()), 4))
