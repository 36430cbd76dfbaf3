"""Twin-row repeat variants on the 10 M bench's first block's first 5 chunks (typed, as the run): CPU s of collects."""
import sys
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
import polars as pl
from pipeline.studies import hardware_runs
b = C.first_block(10_000_000)
pieces = b.pieces[:5]
orig = hardware_runs.expanded
f32 = set(b.shape.float32) if hasattr(b.shape, "float32") else set()
print("float32 set", len(f32))
def narrowed(frame, hw, labels):
    s = frame.collect_schema()
    narrow = [pl.col(c).cast(pl.Float32) for c in s if c in f32 and s[c] == pl.Float64]
    return orig(frame.with_columns(narrow), hw, labels)
V = {"as-is": orig, "f32-first": narrowed, "noexpand": lambda frame, hw, labels: frame}
res = {}
for r in range(int(sys.argv[1])):
    for v, f in V.items():
        hardware_runs.expanded = f
        lfs = [C.typed_chunk(b, hw) for hw in pieces]
        c = C.cpu(); outs = [lf.collect() for lf in lfs]
        res.setdefault(v, []).append(C.cpu() - c)
        if r == 0 and v == "f32-first": print("equal:", all(a.equals(x) for a, x in zip(outs, base)))
        if r == 0 and v == "as-is": base = outs
        del outs
for v, xs in res.items(): print(f"{v:10s} median {sorted(xs)[len(xs)//2]:.3f}", " ".join(f"{x:.3f}" for x in xs))
