"""The length-free split's table (`per_key._assembled` of its parts, as `_table` calls it) with its parts' column sets
packed as structs (as now: `to_struct` copies their misaligned chunks) against each part's columns kept apart (each
gathered into the split by itself): CPU s, alternated, and the tables compared.
`PYTHONPATH=TREE:. python struct_ab.py R`."""
import sys
import common as C  # r-srvspd5's helpers by path
from pipeline.studies import per_key
p = C.prepared(10_000_000)
cap = C.split_tables(p)  # each per-key group in parts, as the first build meets it
table = per_key._table
g, h, m = cap["compression_ratio"]
packed = per_key._packed
def apart_columns(t, apart):
    if all(n == 1 for n in t.n_chunks("all")):
        return packed(t, apart)
    return tuple(t[c] for c in t.columns if c not in apart) + tuple(t[c] for c in t.columns if c in apart)
cpu = C.cpu
res, out = {"struct": [], "columns": []}, {}
for r in range(int(sys.argv[1])):
    for v in res:
        per_key._packed = packed if v == "struct" else apart_columns
        c = cpu(); t, units, apart = per_key._assembled(g.parts, h, m, g.apart); res[v].append(cpu() - c)
        if r == 0:
            out[v] = (t, [(x.name, i.len()) for x, i in apart])
per_key._packed = packed
print("same table:", out["struct"][0].equals(out["columns"][0]), out["struct"][0].shape)
for v, xs in res.items(): print(f"{v:8s} median {sorted(xs)[len(xs)//2]:.3f}", " ".join(f"{x:.3f}" for x in xs))
