"""`database.create_database` of a bench run, CPU s per statement kind (mean of 5): `PYTHONPATH=TREE python database_cost.py`"""
import tempfile, time, statistics, collections, sys
from pathlib import Path
import duckdb
from pipeline import runs
from pipeline.runs import database, write
from pipeline.runs.typed import output_dictionary
import common
p = common.prepared()
d = runs.run(p, tempfile.mkdtemp())
acc = collections.defaultdict(float)
orig_connect = duckdb.connect
class Con:
    def __init__(self, c): self.c = c
    def execute(self, sql, *a):
        t = time.process_time(); r = self.c.execute(sql, *a); acc[" ".join(sql.split()[:2])] += time.process_time() - t; return r
    def __getattr__(self, n): return getattr(self.c, n)
    def close(self):
        t = time.process_time(); self.c.close(); acc["close"] += time.process_time() - t
def connect(*a, **k):
    t = time.process_time(); c = orig_connect(*a, **k); acc["connect"] += time.process_time() - t; return Con(c)
database.duckdb.connect = connect
for i in range(5):
    tmp = Path(tempfile.mkdtemp())
    write.write_catalogs(p.catalogs, tmp / "catalogs")
    (tmp / "study=serving").symlink_to(d / "study=serving"); (tmp / "dimensions").symlink_to(d / "dimensions")
    t = time.process_time()
    database.create_database(tmp, database.run_views(tmp, "serving", p.catalogs.hashes), {"column_dictionary": output_dictionary()})
    acc["total"] += time.process_time() - t
print({k: round(v / 5, 4) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])})
