"""What results.duckdb's build (on its own thread, beside the chunks) costs the serving bench's 3 M-row sweep:
`runs.run` with the build as is, and with `database.create_database` a no-op, alternated, N rounds; wall and CPU s
of each (the per-key tables let go before each run): `PYTHONPATH=TREE python database_share.py [N]`."""
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd"))
from common import cpu, prepared  # noqa: E402

from pipeline import runs  # noqa: E402
from pipeline.runs import database  # noqa: E402
from pipeline.studies import per_key  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
p = prepared()
create = database.create_database
took: dict[str, list] = {"as is": [], "no database": []}
for _ in range(n):
    for how in took:
        database.create_database = create if how == "as is" else (lambda *a, **k: None)
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="srvfix-"))
        w, c = time.perf_counter(), cpu()
        runs.run(p, d)
        took[how].append((time.perf_counter() - w, cpu() - c))
        shutil.rmtree(d)
for how, v in took.items():
    print(f"{how}: wall {statistics.median(x for x, _ in v):.3f} s, CPU {statistics.median(y for _, y in v):.3f} s "
          f"(medians of {n}; walls {', '.join(f'{x:.2f}' for x, _ in v)})")
