"""fits' DuckDB profile (EXPLAIN ANALYZE, JSON) on a run folder: each operator's time and rows, the planner and
optimizer times.

    PYTHONPATH=<tree> python profile.py RUN [SQL_DIR]"""

import json
import sys
from pathlib import Path

from pipeline.runs import database


def walk(node: dict, depth: int = 0) -> None:
    info = node.get("extra_info", {})
    detail = " ".join(str(info.get(k, ""))[:110] for k in ("Conditions", "Filters", "Aggregates") if k in info)
    if node.get("timing", 0) >= 0.002 or node.get("name") != "PROJECTION":
        print(f"{'  ' * depth}{node.get('name')} {node.get('timing', 0) * 1000:.1f} ms, "
              f"{node.get('intermediate_rows')} rows {detail}")
    for child in node.get("children", []):
        walk(child, depth + 1)


def main() -> None:
    run = Path(sys.argv[1])
    sql = database.query_path("fits", sys.argv[2] if len(sys.argv) > 2 else None).read_text()
    bound = database.typed_params("fits", database.query_params(sql), {})
    con = database.confined(run, keys=database.names_keys_view(sql))
    plan = json.loads(con.sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params=bound).fetchall()[0][1])
    walk(plan["operator"][0])
    print("planner", plan["planner"], "optimizer", plan["optimizer"]["total_time"],
          "query cpu", plan["query"]["cpu_time"], "total", plan["query"]["total_time"])


if __name__ == "__main__":
    main()
