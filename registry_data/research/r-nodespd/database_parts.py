"""CPU s of ``create_database`` on a copy of a written node run and of its DuckDB statements by kind (README, "The
fixed 0.45 CPU s"): ``PYTHONPATH=. python .../database_parts.py RUN``."""
import resource, sys, shutil, tempfile, time
from pathlib import Path
import duckdb
from pipeline.runs import database
from pipeline.runs.typed import output_dictionary
from pipeline.catalogs.load import load_catalogs
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
src = Path(sys.argv[1])
hashes = load_catalogs().hashes
orig = duckdb.DuckDBPyConnection.execute
acc = {}
def execute(self, q, *a, **k):
    c = cpu(); r = orig(self, q, *a, **k)
    key = " ".join(q.split()[:3])[:30]
    acc[key] = acc.get(key, 0) + cpu() - c
    return r
duckdb.DuckDBPyConnection.execute = execute
for r in range(3):
    acc.clear()
    d = Path(tempfile.mkdtemp()) / "run"; shutil.copytree(src, d); (d / "results.duckdb").unlink()
    c = cpu()
    database.create_database(d, database.run_views(d, "node", hashes),
                             {"column_dictionary": output_dictionary()})
    t = cpu() - c
    shutil.rmtree(d.parent)
    print(f"total {t:.3f}", {k: round(v, 3) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])[:8]})
