"""DuckDB's cost of the serving view's table macro: parse only, CREATE MACRO, + the view, in memory and in a file: `PYTHONPATH=TREE python macro_cost.py RUN_DIR`"""
import time, tempfile, duckdb
from pathlib import Path
from pipeline.runs import views, database
from pipeline.runs.partitions import study_glob
import sys
run = Path(sys.argv[1]).resolve()
sql = views.view_source(run, "", "serving")
print("sql chars", len(sql))
def t(label, f, n=5):
    ts = []
    for i in range(n):
        c = time.process_time(); f(); ts.append(time.process_time() - c)
    print(label, f"{sorted(ts)[n//2]*1000:.1f} ms")
con0 = duckdb.connect()
t("parse only", lambda: con0.extract_statements(f"CREATE MACRO m() AS TABLE {sql}"))
def mem():
    con = duckdb.connect(); con.execute(f"SET file_search_path = '{run}'"); con.execute("BEGIN"); con.execute(f"CREATE MACRO m() AS TABLE {sql}"); con.execute("COMMIT"); con.close()
t("macro in memory", mem)
def mem_view():
    con = duckdb.connect(); con.execute(f"SET file_search_path = '{run}'"); con.execute("BEGIN"); con.execute(f"CREATE MACRO m() AS TABLE {sql}"); con.execute("CREATE VIEW serving AS SELECT * FROM m()"); con.execute("COMMIT"); con.close()
t("macro+view in memory", mem_view)
def filedb():
    d = tempfile.mkdtemp()
    con = duckdb.connect(f"{d}/x.duckdb", config={"storage_compatibility_version": database.STORAGE_COMPATIBILITY}); con.execute(f"SET file_search_path = '{run}'"); con.execute("BEGIN"); con.execute(f"CREATE MACRO m() AS TABLE {sql}"); con.execute("COMMIT"); con.close()
t("macro in file", filedb)
