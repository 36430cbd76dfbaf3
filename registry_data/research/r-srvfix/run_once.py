"""One `runs.run` of the serving bench's 3 M-row spec (prepared as `mlsys bench` prepares it), then `fits` over it,
the per-key tables let go first, twice (the second timed): `PYTHONPATH=TREE python run_once.py [OUT]`. For py-spy."""
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd"))
from common import cpu, prepared  # noqa: E402

from pipeline import runs  # noqa: E402
from pipeline.runs.database import run_query  # noqa: E402
from pipeline.studies import per_key  # noqa: E402

p = prepared()
for rep in range(2):
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix="srvfix-"))
    w, c = time.perf_counter(), cpu()
    run_dir = runs.run(p, d)
    w1, c1 = time.perf_counter(), cpu()
    answer = run_query("fits", run_dir)
    w2, c2 = time.perf_counter(), cpu()
    print(f"sweep {w1 - w:.3f} s / {c1 - c:.3f} CPU s, fits {w2 - w1:.3f} s / {c2 - c1:.3f} CPU s, "
          f"{answer.height} rows")
    shutil.rmtree(d)
