"""The serving bench's first build (the plan of units and dtypes on the first block: its per-key tables, classes and
planning), as `partitions.write_study` makes it, N times, the per-key tables let go before each: wall and CPU s of
each. `PYTHONPATH=TREE python first_build.py [N]`."""
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvspd"))
from common import cpu, prepared  # noqa: E402

from pipeline.runs import partitions  # noqa: E402
from pipeline.runs.typed import text_enums  # noqa: E402
from pipeline.studies import per_key  # noqa: E402

p = prepared()
enums = text_enums(p.catalogs, "serving")
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    per_key.forget()
    w, c = time.perf_counter(), cpu()
    space = partitions.block_space(p, p.space.model_side, False, enums)
    side = partitions.sorted_side(space, "hardware", frozenset())
    plan = p.study.build(replace(space, grouped_by="hardware"), side.head(0))
    plan.frame.collect_schema()
    print(f"first build {time.perf_counter() - w:.3f} s, {cpu() - c:.3f} CPU s", flush=True)
    del plan
