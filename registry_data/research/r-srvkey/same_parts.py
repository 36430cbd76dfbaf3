"""Whether two serving runs wrote the same rows, one part at a time (r-srvspd's same_rows.py holds both views, too
much memory at 10 M rows): `PYTHONPATH=TREE python same_parts.py RUN_A RUN_B`. Each fact part (by its path in the
run) read from both runs and compared column by column (run_id aside: each run's own), in order, NULLs and NaNs
equal; then the dimension tables the same way."""
import sys
from pathlib import Path

import polars as pl

from pipeline import runs

a, b = (Path(p) for p in sys.argv[1:3])
rel = {r: sorted(p.relative_to(r) for p in runs.part_files(r, "serving")) for r in (a, b)}
assert rel[a] == rel[b], "different parts"
dims = {r: sorted(p.relative_to(r) for p in (r / "dimensions").glob("serving-*.parquet")) for r in (a, b)}
assert dims[a] == dims[b], "different dimension tables"
rows = 0
for path in rel[a] + dims[a]:
    x, y = (pl.read_parquet(r / path) for r in (a, b))
    x, y = (f.drop("run_id", strict=False) for f in (x, y))
    assert x.schema == y.schema, path
    assert x.equals(y, null_equal=True), path
    rows += x.height if path in rel[a] else 0
print(f"same: {len(rel[a])} parts ({rows:,} rows), {len(dims[a])} dimension tables")
