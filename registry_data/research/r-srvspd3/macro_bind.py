"""CREATE MACRO of the serving view's SELECT as main writes it (no parameter: DuckDB >= 1.4 binds it when it is
created) against a macro taking the run folder as a parameter its read_parquet paths read (not bound until the
view is), then CREATE VIEW over it; CPU s of each, medians of 7, alternated, in a new database file over RUN's
files: `PYTHONPATH=MAIN_TREE python macro_bind.py RUN` (main's ``view_source``, its paths made the parameter's)."""
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import duckdb

from pipeline.runs.views import view_source

run = Path(sys.argv[1])
body = view_source(run, "", "serving")
param = body.replace("read_parquet('", "read_parquet(base || '")


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def make(kind):
    d = Path(tempfile.mkdtemp())
    con = duckdb.connect(str(d / "x.duckdb"))
    con.execute("SET file_search_path = ?", [str(run)])
    con.execute("BEGIN")
    c = cpu()
    con.execute(f"CREATE MACRO serving_rows() AS TABLE {body}" if kind == "bound" else
                f"CREATE MACRO serving_rows(base) AS TABLE {param}")
    c1 = cpu()
    con.execute("CREATE VIEW serving AS SELECT * FROM serving_rows()" if kind == "bound" else
                "CREATE VIEW serving AS SELECT * FROM serving_rows('')")
    c2 = cpu()
    con.execute("COMMIT")
    rows = con.execute("select count(*) from serving").fetchone()[0]
    con.close()
    shutil.rmtree(d)
    return c1 - c, c2 - c1, rows


res = {"bound": [], "parameter": []}
for _ in range(7):
    for k in res:
        res[k].append(make(k))
for k, v in res.items():
    print(f"{k:9s} CREATE MACRO {statistics.median(x[0] for x in v):.4f}, CREATE VIEW "
          f"{statistics.median(x[1] for x in v):.4f} CPU s, {v[0][2]:,} rows")
