"""A block's first build (firstbuild.py 2) with the wall time summed per per_key function (across threads).
`PYTHONPATH=TREE:. python fb_time.py`."""
import sys, time
from pathlib import Path
from pipeline.studies import per_key
acc = {}
def wrap(name):
    f = getattr(per_key, name)
    def g(*a, **k):
        t = time.perf_counter(); r = f(*a, **k); d = time.perf_counter() - t
        acc[name] = acc.get(name, 0) + d
        return r
    setattr(per_key, name, g)
for n in ["_used", "_layouts", "_assembled", "classes"]:
    if hasattr(per_key, n): wrap(n)
sys.argv = ["x", "2"]
exec((Path(__file__).with_name("firstbuild.py")).read_text())
print({k: round(v, 3) for k, v in acc.items()})
