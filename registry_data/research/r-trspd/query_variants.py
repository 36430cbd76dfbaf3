"""CPU seconds of ``fastest_layouts``' pieces and variants over a written training run (``make_run.py``), on one
read-only connection, alternated, min / median of N; ``same`` whether a variant's rows equal the query's.

    .venv/bin/python registry_data/research/r-trspd/query_variants.py RUN_DIR [N]
"""
import importlib.util
import os
import sys
from pathlib import Path

import duckdb

SQL = (Path(__file__).resolve().parents[3] / "sql" / "fastest_layouts.sql").read_text()
MAXG = "(select max(gpus) from feasible)"
# each model's fastest at its own largest feasible gpus (-gpus first in the struct), kept where that is the run's
ONE_PASS = SQL[SQL.index("with feasible"):SQL.index("at_most_gpus as")].replace("not materialized ", "") + """
per_model as (
    select model, min({'g': -gpus, 'by': step_time_s, 'cluster': cluster, 'compute_dtype': compute_dtype, 'dp': dp,
             'tp': tp, 'pp': pp, 'virtual_stages': virtual_stages, 'microbatch': microbatch,
             'zero_stage': zero_stage, 'recompute': recompute, 'mfu': -mfu, 'bound': bound, 'gpus': gpus}) as f
    from feasible group by model
),
fastest as (select * from per_model where f.g = (select min(f.g) from per_model)),
""" + SQL[SQL.index("final as"):]
VARIANTS = {
    "the query as it is": SQL,
    "max(gpus) of feasible rows": "select max(gpus) from training where is_feasible",
    "count of feasible rows": "select count(*) from training where is_feasible",
    "count of the rows at 4096 gpus": "select count(*) from training where is_feasible and gpus = 4096",
    "the query at a literal max": SQL.replace(MAXG, "4096"),
    "same: one pass, -gpus first in the struct": ONE_PASS,
    "same: the max as a window (qualify)": SQL.replace(
        "    select *\n    from feasible\n    where gpus = (select max(gpus) from feasible)",
        "    select *\n    from feasible\n    qualify gpus = max(gpus) over ()"),
}


spec = importlib.util.spec_from_file_location(
    "r_nodespd_query_variants", Path(__file__).resolve().parent.parent / "r-nodespd" / "query_variants.py")
node = importlib.util.module_from_spec(spec)  # its ``alternate`` and ``report``
spec.loader.exec_module(node)

if __name__ == "__main__":
    os.chdir(sys.argv[1])  # the views' paths are relative to the run folder
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    con = duckdb.connect("results.duckdb", read_only=True)
    node.report(*node.alternate(con, VARIANTS, n), preview=True)
