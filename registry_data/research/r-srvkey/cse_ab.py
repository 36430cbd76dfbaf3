"""The 10 M bench's first block's first 5 chunks (typed, as the run): collects with polars' CSE on (default) / off."""
import sys
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
import polars as pl
b = C.first_block(10_000_000)
lfs = [C.typed_chunk(b, hw) for hw in b.pieces[:5]]
opts = {"cse on": pl.QueryOptFlags(), "cse off": pl.QueryOptFlags(comm_subexpr_elim=False, comm_subplan_elim=False)}
res = {}
for r in range(int(sys.argv[1])):
    for v, o in opts.items():
        c = C.cpu(); outs = [lf.collect(optimizations=o) for lf in lfs]; res.setdefault(v, []).append(C.cpu() - c)
        if r == 0: print(v, "rows", sum(x.height for x in outs), flush=True)
for v, xs in res.items(): print(f"{v:8s} median {sorted(xs)[len(xs)//2]:.3f}", " ".join(f"{x:.3f}" for x in xs))
