"""A query's fixed costs on a small run (``make_run.py OUT 1``): the confined connection, binding and optimizing
(EXPLAIN), the execution, ``run_query``: ``PYTHONPATH=. python .../query_fixed.py RUN``."""
import resource, sys, time, glob
from pathlib import Path
from pipeline.runs import database
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
run = sys.argv[1]
sql = open(Path(__file__).resolve().parents[3] / 'sql' / 'design_space_map.sql').read()
res = {}
for r in range(6):
    c = cpu(); con = database.confined(run, keys=False); t1 = cpu() - c
    c = cpu(); con.sql("EXPLAIN " + sql).fetchall(); t2 = cpu() - c
    c = cpu(); con.sql(sql).fetchall(); t3 = cpu() - c
    c = cpu(); con.sql("select 1 from node limit 0").fetchall(); t4 = cpu() - c
    con.close()
    c = cpu(); database.run_query("design_space_map", run); t5 = cpu() - c
    for k, v in (("confined connect", t1), ("explain (bind+optimize)", t2), ("query on open con", t3),
                 ("select 1 from node limit 0", t4), ("run_query", t5)):
        res.setdefault(k, []).append(v)
for k, v in res.items():
    v = sorted(v[1:]); print(f"{k:28s} min {v[0]:.3f} median {v[len(v)//2]:.3f}")
