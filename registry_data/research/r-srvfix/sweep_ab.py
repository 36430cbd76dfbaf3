"""The serving bench's 3 M-row sweep (`runs.run`, per-key tables let go before each) with this tree's memory view and
lengths table, and without them (`views.MEMORY_TERMS` and `views.LENGTHS` emptied: main's database but for the code
around it), alternated, N rounds; wall and CPU s of each, medians: `PYTHONPATH=TREE python sweep_ab.py [N]`."""
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd"))
from common import cpu, prepared  # noqa: E402

from pipeline import runs  # noqa: E402
from pipeline.runs import views  # noqa: E402
from pipeline.studies import per_key  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
p = prepared()
terms, lengths = dict(views.MEMORY_TERMS), dict(views.LENGTHS)
took: dict[str, list] = {"with": [], "without": []}
for _ in range(n):
    for how in took:
        views.MEMORY_TERMS.clear()
        views.LENGTHS.clear()
        if how == "with":
            views.MEMORY_TERMS.update(terms)
            views.LENGTHS.update(lengths)
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="srvfix-"))
        w, c = time.perf_counter(), cpu()
        runs.run(p, d)
        took[how].append((time.perf_counter() - w, cpu() - c))
        shutil.rmtree(d)
for how, v in took.items():
    print(f"{how}: wall {statistics.median(x for x, _ in v):.3f} s, CPU {statistics.median(y for _, y in v):.3f} s "
          f"(medians of {n}; walls {', '.join(f'{x:.2f}' for x, _ in v)})")
