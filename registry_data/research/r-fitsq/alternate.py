"""fits' wall and CPU seconds alone, two SQL folders alternated on one run folder, and whether the answers are equal.

    PYTHONPATH=<tree> python alternate.py RUN OLD_SQL_DIR NEW_SQL_DIR ROUNDS [name=value ...]

RUN from `python -m pipeline bench --study serving --rows 3000000 --out DIR`; each SQL folder holds a fits.sql.
CPU is this process's (getrusage: DuckDB's threads included), per `run_query` call (a fresh confined connection)."""

import resource
import statistics
import sys
import time
from pathlib import Path

from pipeline.runs import database


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    run, old, new, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    params = dict(a.split("=", 1) for a in sys.argv[5:])
    folders = [("old", old), ("new", new)]
    times = {k: [] for k, _ in folders}
    answers = {}
    for i in range(rounds):
        for key, folder in folders if i % 2 == 0 else folders[::-1]:
            c0, w0 = cpu(), time.perf_counter()
            answers[key] = database.run_query("fits", run, params, folder=folder)
            times[key].append((time.perf_counter() - w0, cpu() - c0))
    for key, got in times.items():
        wall, used = [w for w, _ in got], [c for _, c in got]
        print(f"{key} wall median {statistics.median(wall):.3f} ({min(wall):.3f}-{max(wall):.3f})  "
              f"cpu median {statistics.median(used):.3f} ({min(used):.3f}-{max(used):.3f})")
    print("equal:", answers["old"].equals(answers["new"]), answers["old"].shape)


if __name__ == "__main__":
    main()
