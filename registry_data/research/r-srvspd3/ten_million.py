"""The serving bench's 10 M-row sweep (`runs.run`, no query) with the model side streamed in blocks as today or
(`whole`) whole (``sizing.STREAMED_ABOVE_MODEL_ROWS`` raised past its 158,368 rows), or (`block=N`) in blocks of at
most N rows, or (`source=N`) fed N rows at a time: CPU s of all threads, wall, parts and peak RSS of this process:
`PYTHONPATH=TREE python ten_million.py [whole | block=N | source=N] [ROWS]`."""
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import common
from common import cpu
from pipeline import runs
from pipeline.runs import sizing
from pipeline.studies import per_key


def measure(p, how: str, prefix: str = "tm-") -> None:
    """``runs.run`` of ``p`` in a scratch folder (per-key tables let go first): prints its CPU s of all threads, wall,
    parts and this process's peak RSS under the label ``how`` (r-srvspd4's blocks_collected.py calls it too)."""
    per_key.forget()
    d = Path(tempfile.mkdtemp(prefix=prefix))
    c, t = cpu(), time.perf_counter()
    run = runs.run(p, d)
    c, t = cpu() - c, time.perf_counter() - t
    parts = len(runs.part_files(run, "serving"))
    shutil.rmtree(d)
    print(f"{how}: {p.rows:,} rows, {c:.2f} CPU s, {t:.2f} s wall ({c / t:.2f} cores), "
          f"{c / p.rows * 1e6:.3f} us CPU a row, {parts} parts, peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "blocks"
    p = common.prepared(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000)
    if how == "whole":
        sizing.STREAMED_ABOVE_MODEL_ROWS["serving"] = 10 ** 9
    elif how.startswith("block="):
        sizing.MODEL_BLOCK_ROWS["serving"] = int(how[6:])
    elif how.startswith("source="):
        sizing.SOURCE_ROWS["serving"] = int(how[7:])
    measure(p, how)
