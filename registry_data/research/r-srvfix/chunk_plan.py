"""A chunk of the serving bench's 3 M-row sweep, its main-thread phases: the study's build + typed (tables cached),
polars' optimization of the plan alone (`LazyFrame.explain`, which optimizes and prints), and the collect, wall and
thread CPU ms each, median of the 7 chunks over N rounds: `PYTHONPATH=TREE python chunk_plan.py [N]`."""
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd5"))
import common  # noqa: E402

from pipeline.runs import partitions  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2
p = common.prepared(3_000_000)
b = common.block_plan(p, p.space.model_side, __import__("pipeline.runs.typed", fromlist=["text_enums"]).text_enums(
    p.catalogs, "serving"))
flags = partitions.collect_flags(p.study)
phases = {"build": [], "explain": [], "collect": []}
for _ in range(n):
    for hw in b.pieces:
        w, c = time.perf_counter(), time.thread_time()
        plan = common.typed_chunk(b, hw)
        phases["build"].append((time.perf_counter() - w, time.thread_time() - c))
        w, c = time.perf_counter(), time.thread_time()
        plan.explain(optimizations=flags)
        phases["explain"].append((time.perf_counter() - w, time.thread_time() - c))
        w, c = time.perf_counter(), time.thread_time()
        plan.collect(optimizations=flags)
        phases["collect"].append((time.perf_counter() - w, time.thread_time() - c))
for k, v in phases.items():
    print(f"{k}: wall {statistics.median(x for x, _ in v) * 1e3:.1f} ms, main-thread CPU "
          f"{statistics.median(y for _, y in v) * 1e3:.1f} ms (median of {len(v)})")
