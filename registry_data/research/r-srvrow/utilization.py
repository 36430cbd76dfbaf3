"""The bench's timed work (``runs.run`` of the 3 M-row serving spec, then ``fits``) with the process's CPU use
sampled every 50 ms (cores busy in each slice), the run's second pass in one process (per-key tables let go first):
`PYTHONPATH=TREE python utilization.py`: where the wall has a core idle."""
import shutil
import tempfile
import threading
import time
from pathlib import Path

from pipeline import runs
from pipeline.studies import per_key
from pipeline.runs.database import run_query
import common
from common import cpu

p = common.prepared()
for rep in range(2):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="ut-"))
    samples, done = [], threading.Event()

    def sample():
        t, c = time.perf_counter(), cpu()
        while not done.is_set():
            time.sleep(0.05)
            t2, c2 = time.perf_counter(), cpu()
            samples.append((t2, (c2 - c) / (t2 - t)))
            t, c = t2, c2
    th = threading.Thread(target=sample)
    t0, c0 = time.perf_counter(), cpu()
    th.start()
    run_dir = runs.run(p, d)
    t1 = time.perf_counter()
    run_query("fits", run_dir)
    t2, c2 = time.perf_counter(), cpu()
    done.set(); th.join()
    shutil.rmtree(d)
print(f"run {t1 - t0:.3f} s, fits {t2 - t1:.3f} s, total {t2 - t0:.3f} s wall, {c2 - c0:.3f} CPU s")
print(" ".join(f"{s - t0:.2f}:{u:.1f}" for s, u in samples))
