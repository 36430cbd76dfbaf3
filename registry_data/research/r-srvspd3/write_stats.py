"""What Parquet statistics cost by column kind: the bench spec's 57 parts (typed as the run writes them) written with
only their Float32 value columns, only their text (Enum / Categorical) columns, or only their Int64 axes and booleans,
each with polars' statistics on and off (zstd 1), medians of 5 rounds: `PYTHONPATH=TREE python write_stats.py`."""
import shutil
import statistics
import tempfile
from pathlib import Path

import polars as pl

import common
from common import cpu
from pipeline.runs import sizing

p, chunks, options = common.chunks()
schema = chunks[0].schema
floats = [c for c, d in schema.items() if d == pl.Float32]
texts = [c for c, d in schema.items() if isinstance(d, (pl.Enum, pl.Categorical)) and c != "hardware"]
others = [c for c, d in schema.items() if d in (pl.Int64, pl.Boolean)]
parts = [rows.slice(s, n).drop("hardware") for rows in chunks for s, n in sizing.runs_of(rows.get_column("hardware"))]


def write(columns, stats):
    d = Path(tempfile.mkdtemp())
    c = cpu()
    for i, part in enumerate(parts):
        part.select(columns).write_parquet(d / f"{i}.parquet", compression="zstd", compression_level=1,
                                           statistics=stats)
    t = cpu() - c
    shutil.rmtree(d)
    return t


variants = {f"{name} ({len(cols)}) statistics {s}": (cols, s) for name, cols in (
    ("Float32 values", floats), ("texts", texts), ("Int64 axes + booleans", others)) for s in (True, False)}
res = {k: [] for k in variants}
for _ in range(5):
    for k, (cols, s) in variants.items():
        res[k].append(write(cols, s))
print(f"{len(parts)} parts, {sum(x.height for x in parts):,} rows")
for k in variants:
    print(f"  {k:42s} {statistics.median(res[k]):.3f} CPU s")
