"""The node parts' polars write, CPU s per round (alternated): as the writer writes them (one row group, null counts
only: node.PARQUET_STATISTICS) against feasible rows first (a stable sort, row groups split at the first infeasible
row, min/max on: polars writes them for every column or none). usage: write_cost.py RUN ROUNDS OUTDIR"""
import glob
import os
import resource
import sys

import polars as pl

run, rounds, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
parts = [pl.read_parquet(f) for f in sorted(glob.glob(f"{run}/study=node/*/*.parquet"))]
base = {"compression": "zstd", "compression_level": 1, "row_group_size": 512 * 1024}
NULLS = {"min": False, "max": False, "distinct_count": False, "null_count": True}


def as_written(i: int, part: pl.DataFrame) -> None:
    part.write_parquet(f"{out}/as_written{i}.parquet", **base, statistics=NULLS)


def feasible_first(i: int, part: pl.DataFrame) -> None:
    ordered = part.sort("is_feasible", descending=True, maintain_order=True)
    n = int(ordered["is_feasible"].sum())
    size = n if 0 < n < len(ordered) else len(ordered)
    ordered.write_parquet(f"{out}/feasible_first{i}.parquet", **(base | {"row_group_size": size}), statistics=True)


spent = {"as_written": [], "feasible_first": []}
for r in range(rounds):
    for fn in (as_written, feasible_first) if r % 2 == 0 else (feasible_first, as_written):
        before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        for i, part in enumerate(parts):
            fn(i, part)
        spent[fn.__name__].append(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - before)
for name, v in spent.items():
    size = sum(os.path.getsize(f) for f in glob.glob(f"{out}/{name}*.parquet")) / 1e6
    print(name, " ".join(f"{x:.3f}" for x in v), f"CPU s; {size:.1f} MB")
