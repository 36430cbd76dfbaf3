"""`runs.run` of the serving bench spec at ROWS, N times in one process (per-key cache let go before each): CPU s of
all threads (user, system), wall, minor page faults, peak RSS and the host's CPU pressure after each.
`PYTHONPATH=TREE:. python sweep.py N ROWS` (TAG in the environment prefixes the lines; alloc_ab.sh)."""
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (r-srvspd5's helpers by path)
from pipeline import runs
from pipeline.studies import per_key

n, rows = int(sys.argv[1]), int(sys.argv[2])
p = common.prepared(rows)
for i in range(n):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="srvkey-"))
    u0, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    runs.run(p, d)
    u1 = resource.getrusage(resource.RUSAGE_SELF)
    user, system = u1.ru_utime - u0.ru_utime, u1.ru_stime - u0.ru_stime
    print(f"{os.environ.get('TAG', '')} run {i}: {user + system:.2f} CPU s (user {user:.2f} sys {system:.2f}), "
          f"{time.perf_counter() - t:.2f} s, minflt {u1.ru_minflt - u0.ru_minflt}, maxrss {u1.ru_maxrss // 1024} MB, "
          f"psi {open('/proc/pressure/cpu').readline().split()[1]}", flush=True)
    shutil.rmtree(d)
