"""CPU s of re-encoding a written node run's parts by column set (zstd 3, null counts only, as the run writes them),
three repetitions: README, "The per-row 0.95 CPU s". Run from the run folder:
``cd RUN && python .../encode_parts.py``."""
import glob
import resource
import tempfile

import polars as pl


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
files = sorted(glob.glob('study=node/*/*.parquet'))
parts = [pl.read_parquet(f, hive_partitioning=False) for f in files]
print(sum(p.height for p in parts), parts[0].schema)
d = tempfile.mkdtemp()
opts = dict(compression="zstd", compression_level=3,
            statistics={"min": False, "max": False, "distinct_count": False, "null_count": True})
sets = {"all": None, "keys": ["run_id", "model", "workload", "step", "compute_dtype", "batch", "seq_len"],
        "run_id": ["run_id"], "enums": ["model","workload","step","compute_dtype"], "ints": ["batch","seq_len"],
        "compute_time_s": ["compute_time_s"], "is_feasible": ["is_feasible"]}
for rep in range(3):
    for k, cols in sets.items():
        c = cpu()
        for i, p in enumerate(parts):
            (p if cols is None else p.select(cols)).write_parquet(f"{d}/{i}.parquet", **opts)
        print(rep, k, f"{cpu()-c:.3f}")
