"""Binding the node view (``select 1 from node limit 0``) and design_space_map, CPU s, with the config_id expression
as it is and replaced by a column, in a copy of a run's results.duckdb: ``python .../view_bind.py RUN``."""
import duckdb, resource, shutil, tempfile, re, os, sys
from pathlib import Path
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
src = Path(sys.argv[1])
d = Path(tempfile.mkdtemp()) / "run"; shutil.copytree(src, d)
con = duckdb.connect(str(d / "results.duckdb"))
body = con.sql("select macro_definition from duckdb_functions() where function_name = 'node_rows'").fetchall()[0][0]
i = body.index("SELECT CAST(CASE  WHEN ((xor(")
j = body.index(" AS config_id", i)
print("macro chars", len(body), "config_id chars", j - i)
con.close()
sql = open(Path(__file__).resolve().parents[3] / 'sql' / 'design_space_map.sql').read()
def measure(path, label):
    os.chdir(d)
    con = duckdb.connect(str(path), read_only=True)
    res = {"bind": [], "query": []}
    for r in range(6):
        c = cpu(); con.sql("select 1 from node limit 0").fetchall(); res["bind"].append(cpu() - c)
        c = cpu(); con.sql(sql).fetchall(); res["query"].append(cpu() - c)
    con.close()
    print(label, {k: f"min {min(v[1:]):.3f} med {sorted(v[1:])[len(v[1:])//2]:.3f}" for k, v in res.items()})
measure(d / "results.duckdb", "as is   ")
con = duckdb.connect(str(d / "results.duckdb"))
new = body[:i] + "SELECT CAST(h.config_id_terms AS BIGINT)" + body[j:]
con.execute("CREATE OR REPLACE MACRO node_rows(folder) AS TABLE " + new)
con.close()
measure(d / "results.duckdb", "no cfgid")
