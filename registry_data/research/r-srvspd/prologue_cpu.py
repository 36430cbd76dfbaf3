"""The serving bench spec's prologue in process: `python prologue_cpu.py REPS` (the tree on PYTHONPATH); medians of
REPS of the first chunk's build (per-key tables and classes built: `per_key.forget()` first), CPU s of all threads,
and of the second chunk's build + collect (tables cached)."""
import resource, statistics, sys
import polars as pl
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
batches = max(1, -(-3000000 // probe))
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))
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
