"""Whether two training runs wrote the same parts: every column but run_id, the rows sorted by the key axes; per
column the rows that differ (NULL equals NULL).

    .venv/bin/python registry_data/research/r-trspd/same_parts.py RUN_A RUN_B
"""
import sys
from pathlib import Path

import polars as pl

KEYS = ["accelerator", "cluster", "model", "compute_dtype", "seq_len", "gpus", "dp", "tp", "microbatch",
        "virtual_stages", "zero_stage", "recompute", "sequence_parallel"]


def parts(run: str) -> pl.DataFrame:
    frame = pl.read_parquet(Path(run) / "study=training" / "*" / "*.parquet", hive_partitioning=True)
    return frame.drop("run_id", strict=False).sort(KEYS)


a, b = parts(sys.argv[1]), parts(sys.argv[2])
print(f"{a.height:,} / {b.height:,} rows, {a.width} / {b.width} columns; equal: {a.equals(b)}")
if a.height == b.height and a.columns == b.columns:
    for c in a.columns:
        n = (~a[c].eq_missing(b[c])).sum()
        if n:
            print(f"  {c}: {n:,} rows differ")
