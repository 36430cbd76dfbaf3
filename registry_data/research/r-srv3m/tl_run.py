"""r-srvrow's timeline of runs.run (the bench's 3 M-row serving spec) plus fits, with epoch stamps, for sampler.py:
PYTHONPATH=TREE python tl_run.py OUT REPS. The last rep's events are written (epoch, CPU, thread, what)."""
import os, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-srvrow"))
import common
from common import cpu
import polars as pl

out, reps = sys.argv[1], int(sys.argv[2])
events = []
def mark(what):
    events.append((time.time(), cpu(), threading.current_thread().name[:16], what))
def wrap(mod, name, label):
    f = getattr(mod, name)
    def g(*a, **k):
        mark(f"{label} start"); r = f(*a, **k); mark(f"{label} end"); return r
    setattr(mod, name, g)

from pipeline import runs
from pipeline.runs import narrow, partitions, database
from pipeline.runs.database import run_query
from pipeline.studies import per_key
p = common.prepared()
wrap(p.study, "build", "build")
wrap(partitions, "write_parts", "write_parts")
wrap(narrow, "write_dimensions", "dimensions")
wrap(database, "create_database", "database")
collect = pl.LazyFrame.collect
def timed_collect(self, *a, **k):
    if threading.current_thread().name == "MainThread":
        mark("collect start"); r = collect(self, *a, **k); mark(f"collect end {r.height}"); return r
    return collect(self, *a, **k)
pl.LazyFrame.collect = timed_collect
sampler = subprocess.Popen([sys.executable, str(Path(__file__).with_name("sampler.py")), str(os.getpid()),
                            out + ".samples"])
time.sleep(0.3)
for rep in range(reps):
    per_key.forget()
    events.clear()
    d = Path(tempfile.mkdtemp(prefix="srv3m-tl-"))
    mark("run start")
    rd = runs.run(p, d)
    mark("run end")
    run_query("fits", rd)
    mark("fits end")
    shutil.rmtree(d)
with open(out, "w") as f:
    for e in events:
        f.write(f"{e[0]:.4f} {e[1]:.3f} {e[2]} {e[3]}\n")
