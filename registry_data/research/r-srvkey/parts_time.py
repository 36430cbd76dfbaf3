"""Each part of the 10 M bench's first block's per-key groups with parts (the length-free split), and the inner η
tables of its decode part: classes x classes = pairs, columns, keys, CPU s (min of 2).
`PYTHONPATH=TREE:. python parts_time.py`."""
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
from pipeline.studies import per_key
p = C.prepared(10_000_000)
cap = C.split_tables(p)  # each per-key group in parts, as the first build meets it
table = per_key._table
cpu = C.cpu
for name, (g, h, m) in cap.items():
    c = cpu(); table(g, h, m); whole = cpu() - c
    print(f"GROUP {name} {h.height}x{m.height} parts {len(g.parts)} cols {len(g.columns)}: {whole:.3f} CPU s")
    for part in g.parts:
        hs, _ = per_key.classes(h, part.hardware); ms, _ = per_key.classes(m, part.model)
        best = 9
        for _ in range(2):
            c = cpu(); table(part, hs, ms, rechunk=False); best = min(best, cpu() - c)
        print(f"   part {part.columns[0][:45]:45s} {hs.height:4d} x {ms.height:6d} = {hs.height*ms.height:8,d} "
              f"cols {len(part.columns):3d} inner {len(part.inner)} mkeys {len(part.model)} "
              f"hkeys {len(part.hardware)}: {best:.3f}")
print("INNER of the decode part")
g, h, m = cap["compression_ratio"]
part = [q for q in g.parts if q.columns[0] == "pp_crossing_boundaries"][0]
hs, _ = per_key.classes(h, part.hardware); ms, _ = per_key.classes(m, part.model)
for inner in part.inner:
    hi, _ = per_key.classes(hs, inner.hardware); mi, _ = per_key.classes(ms, inner.model)
    best = 9
    for _ in range(2):
        c = cpu(); table(inner, hi, mi, rechunk=False); best = min(best, cpu() - c)
    units_col = [k for k in inner.hardware if "units" in k or "tile" in k]
    nulls = hi.select(units_col[0]).null_count().item() if units_col else None
    print(f"   inner {inner.columns[0][:40]:40s} {hi.height:3d} x {mi.height:6d} = {hi.height*mi.height:8,d}: "
          f"{best:.3f} CPU s; "
          f"hw keys {inner.hardware}; null {units_col[:1]} in {nulls} hw classes")
