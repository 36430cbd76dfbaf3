"""fits' CPU by phase on a run: a confined connection, the client's bind (`con.sql`), the execution
(`to_arrow_table`), close; medians of 12: `PYTHONPATH=TREE python fits_profile.py RUN [profile]`; with `profile`,
DuckDB's JSON profile of one more execution (an unconfined connection: a confined one cannot set it) to
/tmp/fits-profile.json, its planner's binding time and each operator's time printed."""
import json
import resource
import statistics
import sys

from pipeline.runs import database


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


run = sys.argv[1]
sql = database.query_path("fits").read_text()
bound = database.typed_params("fits", database.query_params(sql), {})
phases = {"connect": [], "bind": [], "execute": [], "close": []}
for _ in range(12):
    c0 = cpu()
    con = database.confined(run, keys=True)
    c1 = cpu()
    relation = con.sql(sql, params=bound)
    c2 = cpu()
    rows = relation.to_arrow_table().num_rows
    c3 = cpu()
    con.close()
    for k, v in zip(phases, (c1 - c0, c2 - c1, c3 - c2, cpu() - c3)):
        phases[k].append(v)
print(rows, "rows;", {k: round(statistics.median(v), 4) for k, v in phases.items()})
if sys.argv[2:] == ["profile"]:
    con = database.connect(run)
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute("PRAGMA profiling_output = '/tmp/fits-profile.json'")
    con.sql(sql, params=bound).to_arrow_table()
    con.close()
    profile = json.load(open("/tmp/fits-profile.json"))
    print("binding", round(profile["planner"]["binding_time"], 4))

    def walk(node, depth=0):
        print("  " * depth, node["name"], round(node.get("timing", 0), 4), node.get("intermediate_rows"))
        for child in node.get("children", []):
            walk(child, depth + 1)
    for node in profile["operator"]:
        walk(node)
