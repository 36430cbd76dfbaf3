"""CPU seconds of ``design_space_map`` (or another query) over a written run, N times in one process.

    .venv/bin/python registry_data/research/r-nodespd/time_query.py RUN_DIR [N] [QUERY] [SQL_FOLDER]
"""
import resource
import sys
import time

from pipeline.runs.database import run_query


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def main(default="design_space_map"):
    """QUERY (argv 3, DEFAULT if not given) over RUN_DIR N times (r-trspd's time_query.py: ``fastest_layouts``)."""
    run, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    name = sys.argv[3] if len(sys.argv) > 3 else default
    folder = sys.argv[4] if len(sys.argv) > 4 else None
    for _ in range(n):
        c, w = cpu(), time.perf_counter()
        out = run_query(name, run, folder=folder)
        print(f"{name}: {cpu() - c:.3f} CPU s, {time.perf_counter() - w:.3f} s wall, {out.height} rows")


if __name__ == "__main__":
    main()
