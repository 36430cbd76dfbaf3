"""The time Python's cyclic GC takes during ``runs.run`` of the 3 M-row serving bench spec (gc.callbacks), per
generation: `PYTHONPATH=TREE python gc_time.py`."""
import collections, gc, shutil, tempfile, time
from pathlib import Path
from pipeline import runs
from pipeline.studies import per_key
import common

spent, started = collections.Counter(), {}
count = collections.Counter()


def timed(phase, info):
    if phase == "start":
        started[0] = time.thread_time()
    else:
        spent[info["generation"]] += time.thread_time() - started[0]
        count[info["generation"]] += 1


prepared = common.prepared()
print("objects tracked", len(gc.get_objects()))
for i in range(3):
    per_key.forget()
    spent.clear(); count.clear()
    gc.callbacks.append(timed)
    d = Path(tempfile.mkdtemp(prefix="swc-"))
    runs.run(prepared, d)
    gc.callbacks.remove(timed)
    shutil.rmtree(d)
    print({g: f"{count[g]} x, {spent[g]:.3f} s" for g in sorted(spent)})
