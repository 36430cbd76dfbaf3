"""The serving bench spec's prologue in process: `python prologue_cpu.py REPS` (the tree on PYTHONPATH); medians of
REPS of the first chunk's build (per-key tables and classes built: `per_key.forget()` first), CPU s of all threads,
and of the second chunk's build + collect (tables cached)."""
import statistics, sys
import polars as pl
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu


prepared = common.prepared()
chunks = list(runs.chunks(prepared.space))
first, second = [], []
for rep in range(int(sys.argv[1])):
    per_key.forget()
    c = cpu()
    prepared.study.build(prepared.space, chunks[0][0])
    first.append(cpu() - c)
    c = cpu()
    prepared.study.build(prepared.space, chunks[1][0]).frame.select(pl.all().max()).collect()
    second.append(cpu() - c)
print(f"first build {statistics.median(first):.3f} (min {min(first):.3f}) second chunk {statistics.median(second):.3f}")
