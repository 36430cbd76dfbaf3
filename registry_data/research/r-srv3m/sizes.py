"""CPU and wall of the serving bench's sweep (runs.run) and fits at several sizes, in one process:
PYTHONPATH=TREE python sizes.py N1 N2 ... (each: prepared as mlsys bench prepares it; 2 runs, the second printed)."""
import resource, shutil, sys, tempfile, time
from pathlib import Path

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.runs.database import run_query
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def pressure():
    return open("/proc/pressure/cpu").readline().split()[1]


probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
per_key.forget()
for n in map(int, sys.argv[1:]):
    batches = max(1, -(-n // probe))
    output = {"output": {"compression": packaged_codec("serving")}}
    p = runs.prepare(parse_spec(synthetic_spec(batches, "serving") | output, "bench"))
    for rep in range(2):
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="srv3m-sz-"))
        pr = pressure()
        t, c = time.perf_counter(), cpu()
        rd = runs.run(p, d)
        tw, cw = time.perf_counter() - t, cpu() - c
        run_query("fits", rd)
        te, ce = time.perf_counter() - t, cpu() - c
        shutil.rmtree(d)
        print(f"{p.rows:>11,} rows rep {rep}: sweep {tw:.2f} s / {cw:.2f} CPU s, fits {te - tw:.2f} s / "
              f"{ce - cw:.2f} CPU s, end to end {te:.2f} s = {p.rows / te:,.0f} rows/s, {ce:.2f} CPU s; "
              f"{cw / p.rows * 1e6:.3f} CPU us/row; p {pr} -> {pressure()}", flush=True)
