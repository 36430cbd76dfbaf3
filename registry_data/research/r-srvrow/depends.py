"""Which key axes each column of the serving fact table depends on, in a run's parts: `python depends.py RUN`.
For every written column, the fewest of the fact row's keys (the partition's hardware, the dtypes, the layout, the
model, batch and lengths) whose groups hold one value each (NULL a value; found by dropping keys one at a time, the
last first, while the column stays a function of those left), and its distinct values against the rows."""
import sys
from pathlib import Path

import polars as pl

run = Path(sys.argv[1])
fact = pl.scan_parquet(run / "study=serving" / "*" / "*.parquet", hive_partitioning=True).collect()
keys = ["hardware", "compute_dtype", "weight_dtype", "kv_dtype", "tp", "pp", "model", "batch", "prompt_len",
        "output_len"]
keys = [k for k in keys if fact.get_column(k).n_unique() > 1]
hashed = {k: fact.get_column(k).hash(seed=i) for i, k in enumerate(keys)}
print(f"{fact.height:,} rows; keys varying: {keys}")


def function_of(column: str, by: list[str]) -> bool:
    if not by:
        return fact.get_column(column).n_unique() == 1
    h = sum((hashed[k] for k in by[1:]), hashed[by[0]])
    frame = pl.DataFrame({"h": h, "v": fact.get_column(column).hash(seed=99)})
    return frame.group_by("h").agg(pl.col("v").n_unique()).get_column("v").max() == 1


for column in fact.columns:
    if column in keys or column == "run_id":
        continue
    kept = list(keys)
    for k in reversed(keys):
        trial = [c for c in kept if c != k]
        if function_of(column, trial):
            kept = trial
    distinct = fact.select(kept).n_unique() if kept else 1
    print(f"{column:36s} {str(fact.schema[column]):8.8s} n_unique {fact.get_column(column).n_unique():>9,} "
          f"keys {distinct:>9,}  of {[k for k in keys if k not in kept]} free: {kept}")
