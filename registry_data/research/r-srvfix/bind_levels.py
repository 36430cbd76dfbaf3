"""What the serving view's SELECT costs DuckDB to bind: `con.sql(SELECT)` (the client's describe bind) of the view's
SELECT as the run's database holds it, and of the same join without the query-time columns' levels (those columns as
typed NULLs), medians of N: `PYTHONPATH=TREE python bind_levels.py RUN [N]`."""
import resource
import statistics
import sys
from pathlib import Path

from pipeline.runs import database, views


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


run = Path(sys.argv[1]).resolve()
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
con = database.connect(run)


def bind(sql):
    times = []
    for _ in range(rounds):
        c = cpu()
        con.sql(sql)
        times.append(cpu() - c)
    return statistics.median(times)


full = views.view_source(run, f"{run}/", "serving")
query_time = views.query_time
views.query_time = lambda *a: []
join = views.view_source(run, f"{run}/", "serving")
views.query_time = query_time
print(f"whole view: {len(full):,} characters, bind {bind(full):.4f} CPU s")
print(f"without the query-time levels: {len(join):,} characters, bind {bind(join):.4f} CPU s")
print(f"the view by name (SELECT * FROM serving): bind {bind('SELECT * FROM serving'):.4f} CPU s")
