"""r-srvspd's same_rows.py where two runs cut their chunks differently (r-srvspd5's serving chunks of 2 M rows): per
accelerator folder the parts read and concatenated, equal column by column (but run_id) once sorted by every column (an
accelerator's rows split over two chunks are model-major in each: their order is the chunks'); every dimension table
equal; the run's view (`runs.scan_run`) sorted by config_id equal but run_id:
`python same_rows_joined.py RUN_A RUN_B`."""
import sys
from pathlib import Path

import polars as pl

from pipeline.runs import scan_run

a, b = (Path(p) for p in sys.argv[1:3])
folders = sorted(p.name for p in (a / "study=serving").iterdir())
assert folders == sorted(p.name for p in (b / "study=serving").iterdir()), "different accelerator folders"
counts, in_order = [], 0
for f in folders:
    x, y = (pl.concat([pl.read_parquet(p) for p in sorted((r / "study=serving" / f).glob("*.parquet"))])
            for r in (a, b))
    in_order += x.drop("run_id", strict=False).equals(y.drop("run_id", strict=False))
    x, y = (z.drop("run_id", strict=False) for z in (x, y))
    x, y = (z.sort(x.columns, nulls_last=True, maintain_order=True) for z in (x, y))
    assert x.equals(y), f"{f} differs"
    counts.append((len(list((a / "study=serving" / f).glob("*.parquet"))),
                   len(list((b / "study=serving" / f).glob("*.parquet")))))
dims = sorted(p.relative_to(a) for p in a.glob("dimensions/*.parquet"))
assert dims == sorted(p.relative_to(b) for p in b.glob("dimensions/*.parquet")), "different dimension tables"
for p in dims:
    assert pl.read_parquet(a / p).equals(pl.read_parquet(b / p)), f"dimension table {p} differs"
x = scan_run(a, "serving").drop("run_id", strict=False).sort("config_id").collect()
y = scan_run(b, "serving").drop("run_id", strict=False).sort("config_id").collect()
assert x.columns == y.columns and x.height == y.height and x.equals(y), "the views differ"
print(f"same: {len(folders)} accelerators' rows in order ({sum(c for c, _ in counts)} and {sum(c for _, c in counts)}"
      f" parts; {in_order} in the same order), {len(dims)} dimension tables, view {x.height:,} rows x {x.width}"
      " columns")
