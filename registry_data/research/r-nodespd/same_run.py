"""Two node runs (``make_run.py`` with two trees) hold the same values: every Parquet file of the run (the fact parts,
by partition, all columns but run_id, sorted by the key axes; the dimension tables; the catalogs) equal exactly, the
``node`` view's every column sorted by config_id equal, and ``design_space_map`` the same rows both ways by a DuckDB
EXCEPT (and equal in order).

    .venv/bin/python registry_data/research/r-nodespd/same_run.py RUN_A RUN_B
"""
import os
import sys
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipeline.runs.database import run_query

a, b = (Path(p).resolve() for p in sys.argv[1:3])
files = sorted(str(p.relative_to(a)) for p in a.rglob("*.parquet"))
assert files == sorted(str(p.relative_to(b)) for p in b.rglob("*.parquet")), "different files"
keys = ["model", "workload", "step", "compute_dtype", "batch", "seq_len"]
for name in files:
    x, y = (pl.read_parquet(r / name, hive_partitioning=False) for r in (a, b))
    if "run_id" in x.columns:
        x, y = (f.drop("run_id").sort(keys, nulls_last=True, maintain_order=True) for f in (x, y))
    assert_frame_equal(x, y, check_exact=True)
print(f"{len(files)} Parquet files equal")
views = []
for run in (a, b):
    os.chdir(run)  # the views' paths are relative to the run folder
    con = duckdb.connect("results.duckdb", read_only=True)
    views.append(pl.from_arrow(con.sql("select * exclude (run_id) from node order by config_id").to_arrow_table()))
    con.close()
assert_frame_equal(views[0], views[1], check_exact=True)
print(f"node view equal: {views[0].shape}")
maps = [run_query("design_space_map", run) for run in (a, b)]
assert_frame_equal(maps[0], maps[1], check_exact=True)
con = duckdb.connect()
con.register("a", maps[0].to_arrow())
con.register("b", maps[1].to_arrow())
one = con.sql("select count(*) from (select * from a except all select * from b)").fetchall()[0][0]
other = con.sql("select count(*) from (select * from b except all select * from a)").fetchall()[0][0]
print(f"design_space_map: {maps[0].height} rows; a EXCEPT ALL b {one} rows, b EXCEPT ALL a {other} rows")
assert one == other == 0
