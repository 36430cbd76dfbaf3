"""A large answer (`select * from serving_keys`: every row's key axes, 3.26 M rows on the serving bench's run) through a
relation (`con.sql(sql).to_arrow_table()`) and through a DB-API result (`con.execute(sql).to_arrow_table()`, DuckDB's
"extra copy" warning silenced), alternated, 3 rounds: wall and CPU s of each and the process's peak RSS after it:
`PYTHONPATH=TREE python big_result.py RUN`."""
import resource
import sys
import time
import warnings

from pipeline.runs import database


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


run = sys.argv[1]
sql = "select * from serving_keys"
for how in ["relation", "execute"] * 3:
    con = database.confined(run, keys=True)
    w, c = time.perf_counter(), cpu()
    if how == "relation":
        table = con.sql(sql).to_arrow_table()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            table = con.execute(sql).to_arrow_table()
    print(f"{how}: {time.perf_counter() - w:.3f} s, {cpu() - c:.3f} CPU s, {table.num_rows:,} rows, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024:,} MB")
    con.close()
