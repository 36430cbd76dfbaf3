"""design_space_map CPU and wall with DuckDB at one thread and at two, alternated, 5 each (README, "Not in the brief's
files"): ``cd RUN && python .../query_threads.py``."""
from pathlib import Path
import duckdb, resource, time
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
sql = open(Path(__file__).resolve().parents[3] / 'sql' / 'design_space_map.sql').read()
res = {}
for r in range(5):
    for t in (1, 2):
        con = duckdb.connect('results.duckdb', read_only=True, config={"threads": t})
        c = cpu(); w = time.perf_counter(); con.sql(sql).fetchall()
        res.setdefault(t, []).append((cpu() - c, time.perf_counter() - w))
        con.close()
for t, v in res.items():
    v.sort(); print(t, "threads: CPU min %.3f median %.3f; wall min %.3f" % (v[0][0], v[2][0], min(x[1] for x in v)))
