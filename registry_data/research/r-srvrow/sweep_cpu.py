import sys, tempfile, shutil, time
from pathlib import Path
import pipeline
from pipeline import runs
from pipeline.studies import per_key
import common
from common import cpu
assert pipeline.__file__.startswith(sys.argv[1]), pipeline.__file__
prepared = common.prepared()
out = []
for i in range(int(sys.argv[2])):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="swc-"))
    c = cpu(); t = time.perf_counter()
    runs.run(prepared, d)
    out.append((cpu() - c, time.perf_counter() - t))
    shutil.rmtree(d)
print(sys.argv[1], prepared.rows, " ".join(f"{c:.2f}" for c, w in out), "min", f"{min(c for c, w in out):.2f}")
