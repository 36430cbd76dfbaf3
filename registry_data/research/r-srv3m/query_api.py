"""fits (or, QUERY not fits, a big answer) through DuckDB's Python APIs, wall and CPU s medians:
PYTHONPATH=TREE python query_api.py RUN N QUERY"""
import resource, statistics, sys, time
import polars as pl
from pipeline.runs import database
run, n, which = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if which == "fits":
    sql = database.query_path("fits").read_text()
    bound = database.typed_params("fits", database.query_params(sql), {})
else:
    sql, bound = "select * from serving_keys", {}
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
ways = {
    "relation": lambda con: pl.from_arrow(con.sql(sql, params=bound).to_arrow_table()),
    "execute_reader": lambda con: pl.from_arrow(con.execute(sql, bound).to_arrow_reader().read_all()),
    "relation_pl": lambda con: con.sql(sql, params=bound).pl(),
    "relation_reader": lambda con: pl.from_arrow(con.sql(sql, params=bound).to_arrow_reader().read_all()),
    "execute_table": lambda con: pl.from_arrow(con.execute(sql, bound).to_arrow_table()),
}
res = {k: [] for k in ways}
answers = {}
for i in range(n):
    for k, f in ways.items():
        con = database.confined(run, keys=True)
        c, t = cpu(), time.perf_counter()
        out = f(con)
        res[k].append((time.perf_counter() - t, cpu() - c))
        con.close()
        answers[k] = out
for k, v in res.items():
    print(f"{k:16s} wall {statistics.median(x[0] for x in v):.3f} CPU {statistics.median(x[1] for x in v):.3f}  "
          f"rows {answers[k].height}")
print("equal:", all(answers[k].equals(answers['relation']) for k in answers))
print("peak RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
