"""The serving bench's first block's first 5 chunk collects, typed as the run types them, with the space's
``float32`` set as the writer sets it (the layout's Float32 columns cast before the twin-row repeat) or empty (cast by
``typed`` after it, as main): CPU s of the 5 collects, variants alternated, values compared (``DataFrame.equals``).
`cd <tree> && PYTHONPATH=<tree>:<this folder> python collects.py ROUNDS` (r-srvkey's decomp2.py, on the tree's code)."""
import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

from pipeline.runs.typed import typed

spec = importlib.util.spec_from_file_location("r_srvkey_common", Path(__file__).resolve().parent.parent / "r-srvkey"
                                              / "common.py")
C = importlib.util.module_from_spec(spec)
spec.loader.exec_module(C)

b = C.first_block(10_000_000)
pieces = b.pieces[:5]
print("Float32 set", len(b.shape.float32), "of", len(b.shape.fact), "fact columns;", sum(h.height for h in pieces),
      "hardware rows in 5 chunks")
spaces = {"after (main)": b.space, "before (float32)": replace(b.space, float32=b.shape.float32)}
res, base = {}, None
for r in range(int(sys.argv[1])):
    for name, space in spaces.items():
        frames = [typed(b.p.study.build(space, hw).frame, "serving", "rid", b.texts, b.shape, b.enums, b.dtypes)
                  for hw in pieces]
        c = C.cpu()
        outs = [f.collect() for f in frames]
        res.setdefault(name, []).append(C.cpu() - c)
        if r == 0 and base is None:
            base = outs
        elif r == 0:
            print("equal:", all(a.equals(x) for a, x in zip(outs, base)), sum(o.height for o in outs), "rows")
        del outs
print("pressure", open("/proc/pressure/cpu").readline().strip())
for name, xs in res.items():
    print(f"{name:17s} median {sorted(xs)[len(xs) // 2]:.3f} min {min(xs):.3f}", " ".join(f"{x:.3f}" for x in xs))
