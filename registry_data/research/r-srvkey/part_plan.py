"""The 10 M bench's first block's length-free split's decode part, taken apart: its plan (`explain`, written to
/tmp/srvkey-part_*.txt), its inner η tables, its collect on all and on every Nth pair (input collected first), the
in-memory engine, CSE off, and `per_key._table` as the run calls it, with a cProfile of that call.
`PYTHONPATH=TREE:. python part_plan.py`."""
import re
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
import polars as pl
from pipeline.studies import per_key
p = C.prepared(10_000_000)
cap = C.split_tables(p)  # each per-key group in parts, as the first build meets it
table = per_key._table
g, h, m = cap["compression_ratio"]
part = [q for q in g.parts if q.columns[0] == "pp_crossing_boundaries"][0]
hs, _ = per_key.classes(h, part.hardware); ms, _ = per_key.classes(m, part.model)
pairs = hs.rename({"__id": "__h"}).lazy().join(ms.rename({"__id": "__m"}).lazy(), how="cross",
                                               maintain_order="left_right")
inner = per_key._assembled(part.inner, hs, ms)[0]
pairs = pl.concat([pairs, inner.lazy()], how="horizontal")
frame, units = part.compute(pairs)
q = frame.select(part.columns)
raw, opt = q.explain(optimized=False), q.explain()
open("/tmp/srvkey-part_raw.txt", "w").write(raw); open("/tmp/srvkey-part_opt.txt", "w").write(opt)
print("raw chars", len(raw), "opt chars", len(opt))
for pat in [r"\* 1\.0\)", r"/ 1\.0\)", r"\+ 0\.0\)", r"\.cast\(", r"col\(", r"when\("]:
    print(pat, len(re.findall(pat, raw)), len(re.findall(pat, opt)))
cpu = C.cpu
def t(label, f, n=3):
    best = 9
    for _ in range(n):
        c = cpu(); f(); best = min(best, cpu() - c)
    print(f"{label:50s} {best:.3f} CPU s", flush=True)
t("inner tables (_assembled of 5)", lambda: per_key._assembled(part.inner, hs, ms))
t("the part's collect, all pairs (inner precomputed)", lambda: q.collect())
full = pairs.collect()
for frac in (1, 2, 20, 200):
    sub = full.gather(pl.int_range(0, full.height, frac, eager=True, dtype=pl.UInt32))
    f2, _ = part.compute(sub.lazy())
    t(f"  on every {frac}th pair ({sub.height:,} pairs, eager input)", lambda: f2.select(part.columns).collect())
f3, _ = part.compute(full.lazy())
t("  all pairs, in-memory engine", lambda: f3.select(part.columns).collect(engine="in-memory"))
no_cse = pl.QueryOptFlags(comm_subexpr_elim=False)
t("  all pairs, no CSE", lambda: f3.select(part.columns).collect(optimizations=no_cse))
t("  explain (optimize only)", lambda: f3.select(part.columns).explain())
t("_table(part) as the run calls it", lambda: table(part, hs, ms, rechunk=False))
t("the part's collect, all pairs (inner precomputed), again", lambda: q.collect())
t("inner tables again", lambda: per_key._assembled(part.inner, hs, ms))
t("part.compute(pairs) alone (building the plan)", lambda: part.compute(pairs))
t("part.compute(pairs).select(cols) + explain", lambda: part.compute(pairs)[0].select(part.columns).explain())
import cProfile, pstats
pr = cProfile.Profile(); pr.enable(); part.compute(pairs); pr.disable()
pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
print("=== cProfile of _table(part)")
pr = cProfile.Profile(); pr.enable(); table(part, hs, ms, rechunk=False); pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(12)
