"""SQL variants alternated over a run (the round's order reversed every other round), each on its own connection
as ``run_query`` opens it (``confined``), its answer first checked against the first variant's (DIFFERENT printed
if not equal, row for row); CPU s of this process (getrusage, all threads) and wall, min and median.
usage (from the worktree): alternate.py RUN N A.sql [B.sql ...]; a variant ``X.sql@threads=1,...`` sets DuckDB
options on a plain read-only connection first, ``X.sql#OTHER_RUN`` runs over another run (a rewritten layout)."""
import resource
import sys
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

sys.path.insert(0, '.')
from pipeline.runs import database  # noqa: E402

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def once(run, spec):
    spec, _, other = spec.partition('#')
    run = other or run
    path, _, opt = spec.partition('@')
    sql = Path(path).read_text()
    t0, c0 = time.perf_counter(), cpu()
    con = database.confined(run, keys=False) if not opt else None
    if con is None:
        con = database.connect(run)
        for o in opt.split(','):
            con.execute(f"SET {o}")
    out = pl.from_arrow(con.sql(sql).to_arrow_table())
    con.close()
    return time.perf_counter() - t0, cpu() - c0, out

run, n, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
res = {s: [] for s in specs}
ref = None
for s in specs:  # warm
    _, _, out = once(run, s)
    if ref is None:
        ref = out
    else:
        try:
            assert_frame_equal(ref, out)
        except AssertionError as e:
            print('DIFFERENT', s)
for i in range(n):
    for s in (specs if i % 2 == 0 else specs[::-1]):
        w, c, _ = once(run, s)
        res[s].append((w, c))
print(open('/proc/pressure/cpu').readline().strip())
for s, v in res.items():
    ws = sorted(x[0] for x in v); cs = sorted(x[1] for x in v)
    print(f"{s:45s} wall min {ws[0]:.3f} med {ws[len(ws)//2]:.3f}  cpu min {cs[0]:.3f} med {cs[len(cs)//2]:.3f}")
