"""A chunk's collect (hardware rows 20-39 of the bench spec's first block, typed) with the serving plan reading the
sides' one-valued columns as literals (``constant_columns.one_valued`` given to ``operations.build``, as training
does) against without: `PYTHONPATH=TREE python constants_cost.py [N]`, medians of N (9) alternated, rows compared."""
import statistics
import sys

from pipeline.studies import operations, serving
from pipeline.studies.constant_columns import one_valued
import common
from common import cpu

N = int(sys.argv[1]) if len(sys.argv) > 1 else 9
ctx = common.chunk_context()
p, sp, side = ctx.p, ctx.sp, ctx.side
flags = ctx.flags
hw = side.slice(20, 20)
original = operations.build
constants = one_valued(sp, hw)


def with_constants(*a, **k):
    return original(*a, **k, constants=constants)


frames = {}
for name, fn in (("without", original), ("with", with_constants)):
    serving.operations.build = fn
    frames[name] = common.typed_chunk(ctx, hw)
serving.operations.build = original
out = {k: f.collect(optimizations=flags) for k, f in frames.items()}
print("rows equal:", out["with"].equals(out["without"]), out["with"].shape)
print(len(constants), "one-valued columns:", sorted(constants))
res = {k: [] for k in frames}
for _ in range(N):
    for k, f in frames.items():
        c = cpu(); f.collect(optimizations=flags); res[k].append(cpu() - c)
for k, v in res.items():
    print(f"{k:8s} {statistics.median(v):.4f} CPU s (min {min(v):.4f})")
