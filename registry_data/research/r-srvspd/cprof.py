"""cProfile of the main thread of ``runs.run`` on the 3 M-row serving bench spec (the second of two runs in a
process): `PYTHONPATH=TREE python cprof.py OUT.prof`."""
import cProfile, pstats, shutil, sys, tempfile
from pathlib import Path
from pipeline import runs
from pipeline.studies import per_key
import common

prepared = common.prepared()
for i in range(2):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="swc-"))
    if i:
        cProfile.run("runs.run(prepared, d)", sys.argv[1])
    else:
        runs.run(prepared, d)
    shutil.rmtree(d)
pstats.Stats(sys.argv[1]).sort_stats("cumulative").print_stats(60)
