import resource, sys, tempfile, shutil, time
from pathlib import Path
import pipeline
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key
assert pipeline.__file__.startswith(sys.argv[1]), pipeline.__file__
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF); return u.ru_utime + u.ru_stime
probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
batches = max(1, -(-3000000 // probe))
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))
out = []
for i in range(int(sys.argv[2])):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="swc-"))
    c = cpu(); t = time.perf_counter()
    runs.run(prepared, d)
    out.append((cpu() - c, time.perf_counter() - t))
    shutil.rmtree(d)
print(sys.argv[1], prepared.rows, " ".join(f"{c:.2f}" for c, w in out), "min", f"{min(c for c, w in out):.2f}")
