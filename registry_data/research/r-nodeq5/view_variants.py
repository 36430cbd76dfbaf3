"""Writes two variants of design_space_map with the node view's SELECT inlined from a run's results.duckdb (its
macro ``node_rows`` at folder ''): ``inline.sql`` (the same view, no FENCE change) and ``hive_feasible.sql`` (the
fact parts under ``is_feasible=true|false`` Hive folders, ``hive_feasible.py``, the key typed BOOLEAN). With
``nofence.sql``: the view without its FENCE column (views.FENCE). usage: view_variants.py RUN OUTDIR"""
import sys
from pathlib import Path

import duckdb

run, out = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect(str(run / "results.duckdb"), read_only=True)
body = con.execute("select macro_definition from duckdb_functions() where function_name = 'node_rows'").fetchall()[0][0]
for name in ("study=node/*/*.parquet", "dimensions/node-hardware.parquet", "dimensions/node-model.parquet"):
    body = body.replace(f"(folder || '{name}')", f"'{name}'")
query = Path("sql/design_space_map.sql").read_text()
inline = query.replace("with feasible as (", f"with node as ({body}),\nfeasible as (")
out.mkdir(parents=True, exist_ok=True)
(out / "inline.sql").write_text(inline)
(out / "nofence.sql").write_text(inline.replace(", random() AS __unfused", ""))
hive = inline.replace("'study=node/*/*.parquet'", "'study=node/*/*/*.parquet'").replace(
    'hive_types = struct_pack(study := "VARCHAR", hardware := "VARCHAR")',
    'hive_types = struct_pack(study := "VARCHAR", hardware := "VARCHAR", is_feasible := "BOOLEAN")')
(out / "hive_feasible.sql").write_text(hive)
