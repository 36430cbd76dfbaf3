"""DuckDB's JSON profile of a query over a run (default sql/design_space_map.sql), printed as its operator tree:
each operator's time (summed over threads, profiling on), rows out and its extra info.
usage (from the worktree): .venv/bin/python registry_data/research/r-nodeq5/profile.py RUN [QUERY.sql] [OUT.json]"""
import json
import sys
from pathlib import Path

sys.path.insert(0, ".")
from pipeline.runs import database  # noqa: E402

run = sys.argv[1]
sql = Path(sys.argv[2] if len(sys.argv) > 2 else "sql/design_space_map.sql").read_text()
out = sys.argv[3] if len(sys.argv) > 3 else "/tmp/nodeq5-profile.json"
con = database.connect(run)  # confined() locks the configuration: profiling cannot be turned on after it
con.execute("PRAGMA enable_profiling = 'json'")
con.execute(f"PRAGMA profiling_output = '{out}'")
con.execute(sql).fetchall()
con.close()
profile = json.loads(Path(out).read_text())


def walk(node: dict, depth: int = 0) -> float:
    print("  " * depth + f"{node['name']} t={node['timing']:.3f} rows={node['intermediate_rows']}")
    for key, value in node.get("extra_info", {}).items():
        print("  " * depth + f"    {key}: {str(value)[:300]}")
    return node["timing"] + sum(walk(c, depth + 1) for c in node.get("children", []))


total = sum(walk(c) for c in profile["operator"])
print(f"operators {total:.3f} s; planner {profile['planner']}")
