"""Whether two runs of the serving bench spec hold the same rows: `python same_rows.py RUN_A RUN_B` (run folders,
e.g. of `python -m pipeline bench --study serving --rows 3000000 --out DIR` in each tree's `git archive` copy).
Checks (1) the same part files, each part's columns and values equal (`DataFrame.equals`, NULL equals NULL) but
`run_id` (the run's own name); (2) every dimension table equal; (3) the run's view (`runs.scan_run`: the fact table
joined with its dimension tables and the query-time columns), sorted by config_id, equal but `run_id`."""
import sys
from pathlib import Path

import polars as pl

from pipeline.runs import scan_run

a, b = (Path(p) for p in sys.argv[1:3])
parts = sorted(p.relative_to(a) for p in a.glob("study=serving/*/*.parquet"))
assert parts == sorted(p.relative_to(b) for p in b.glob("study=serving/*/*.parquet")), "different part files"
for p in parts:
    x, y = pl.read_parquet(a / p), pl.read_parquet(b / p)
    assert x.drop("run_id", strict=False).equals(y.drop("run_id", strict=False)), f"part {p} differs"
dims = sorted(p.relative_to(a) for p in a.glob("dimensions/*.parquet"))
assert dims == sorted(p.relative_to(b) for p in b.glob("dimensions/*.parquet")), "different dimension tables"
for p in dims:
    assert pl.read_parquet(a / p).equals(pl.read_parquet(b / p)), f"dimension table {p} differs"
x = scan_run(a, "serving").drop("run_id", strict=False).sort("config_id").collect()
y = scan_run(b, "serving").drop("run_id", strict=False).sort("config_id").collect()
assert x.columns == y.columns and x.height == y.height, (x.shape, y.shape)
assert x.equals(y), "the views differ"
print(f"same: {len(parts)} parts, {len(dims)} dimension tables, view {x.height:,} rows x {x.width} columns")
