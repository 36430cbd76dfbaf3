"""The serving bench's 3 M-row sweep (`runs.run`, per-key tables let go before each run) under named setups,
alternated, N rounds; prints wall and CPU s of each, medians. What database_share.py and sweep_ab.py share."""
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd"))
from common import cpu, prepared  # noqa: E402

from pipeline import runs  # noqa: E402
from pipeline.studies import per_key  # noqa: E402


def alternate(setups: dict[str, Callable[[], None]], n: int) -> None:
    """Each round, for each setup: call it, then time one sweep of the bench spec into a temporary folder."""
    p = prepared()
    took: dict[str, list] = {how: [] for how in setups}
    for _ in range(n):
        for how, setup in setups.items():
            setup()
            per_key.forget()
            d = Path(tempfile.mkdtemp(prefix="srvfix-"))
            w, c = time.perf_counter(), cpu()
            runs.run(p, d)
            took[how].append((time.perf_counter() - w, cpu() - c))
            shutil.rmtree(d)
    for how, v in took.items():
        print(f"{how}: wall {statistics.median(x for x, _ in v):.3f} s, CPU {statistics.median(y for _, y in v):.3f} "
              f"s (medians of {n}; walls {', '.join(f'{x:.2f}' for x, _ in v)})")
