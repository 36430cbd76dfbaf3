"""The node view's macro in a copy of a run's results.duckdb with its NaN-guarded greatest() made plain (an upper bound:
not the same semantics where a term is NaN), design_space_map CPU s before and after: ``python .../view_nan_guards.py
RUN``."""
import duckdb, resource, shutil, tempfile, re, os, sys
from pathlib import Path
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
src = Path(sys.argv[1])
d = Path(tempfile.mkdtemp()) / "run"; shutil.copytree(src, d)
con = duckdb.connect(str(d / "results.duckdb"))
body = con.sql("select macro_definition from duckdb_functions() where function_name = 'node_rows'").fetchall()[0][0]
con.close()
GUARD = r"CASE  WHEN \(isnan\(CAST\((\w+) AS DOUBLE\)\)\) THEN \(NULL\) ELSE (\w+) END"
pat = re.compile(rf"COALESCE\(greatest\({GUARD}, {GUARD}\), greatest\((\w+), (\w+)\)\)")
print("NaN-guarded greatest:", len(pat.findall(body)))
simple = pat.sub(lambda m: f"greatest({m.group(5)}, {m.group(6)})", body)
sql = open(Path(__file__).resolve().parents[3] / 'sql' / 'design_space_map.sql').read()
os.chdir(d)
def measure(label):
    con = duckdb.connect(str(d / "results.duckdb"), read_only=True)
    v = []
    for r in range(7):
        c = cpu(); out = con.sql(sql).fetchall(); v.append(cpu() - c)
    con.close(); v.sort(); print(label, f"min {v[0]:.3f} median {v[3]:.3f}"); return out
a = measure("as is      ")
con = duckdb.connect(str(d / "results.duckdb"))
con.execute("CREATE OR REPLACE MACRO node_rows(folder) AS TABLE " + simple)
con.close()
b = measure("plain greatest")
print("same rows", a == b)
