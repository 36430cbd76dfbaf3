"""Benchmark of ``mlsys validate`` (issue 12: <= 5 s on 250 rows), run by hand, never by pytest:

    .venv/bin/python -m tests.validation.bench_validate [N] [--phases]

Each figure is one fresh process (``python -m pipeline validate --measured <csv> --out <tmp>``, a subprocess,
so imports, catalog loading, predictions, calibration, report and scatter all count), timed as wall seconds and
CPU seconds (user + system of the child and its threads). Rows: a fixed draw of N (default 250) rows of the
measurements catalog (``pipeline.bench.VALIDATE_SEED``, the draw `mlsys bench --validate` times) and the whole
catalog. Import time is its own process (``import pipeline.cli.app, pipeline.validation.directory``). With
``--phases`` the N rows are also run in this process, phase by phase (catalogs, measurements, predict, errors,
calibration), CPU seconds each. The child inherits PYTHONPATH, so ``PYTHONPATH=<an older tree>`` times that tree.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pipeline.bench import VALIDATE_SEED
from pipeline.catalogs.io import export_csv

IMPORTS = "import pipeline.cli.app, pipeline.validation.directory"


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process running ``argv`` (it must succeed)."""
    started, cpu = time.perf_counter(), _children_cpu_s()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started, _children_cpu_s() - cpu


def sample(rows: int, scratch: Path) -> tuple[Path, Path, int]:
    """The catalog as CSV, a fixed draw of ``rows`` of it as CSV, and the catalog's row count."""
    catalog = pl.read_csv(export_csv("measurements", scratch / "catalog"), infer_schema=False)
    full, drawn = scratch / "all.csv", scratch / f"sample{rows}.csv"
    catalog.write_csv(full)
    (catalog if rows >= catalog.height else catalog.sample(rows, seed=VALIDATE_SEED)).write_csv(drawn)
    return drawn, full, catalog.height


def phases(measured: Path) -> list[str]:
    """CPU seconds of each phase of ``pipeline.validation.run`` on ``measured``, in this process."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.validation.accuracy import errors
    from pipeline.validation.calibrate import fit
    from pipeline.validation.measurements import read_measurements
    from pipeline.validation.predict import predict

    lines, cpu = [], time.process_time()

    def lap(what: str) -> None:
        nonlocal cpu
        now = time.process_time()
        lines.append(f"  {what:<13} {now - cpu:6.2f} CPU s")
        cpu = now

    catalogs = load_catalogs()
    lap("catalogs")
    measured_ = read_measurements(measured, catalogs)
    lap("measurements")
    predicted = predict(measured_.rows, catalogs)
    lap("predict")
    table = errors(measured_.rows, predicted)
    lap("errors")
    fit(table)
    lap("calibration")
    return lines


def main(argv: list[str]) -> None:
    rows = int(next((a for a in argv if not a.startswith("-")), 250))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} ({os.cpu_count()} CPUs) at start")
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        scratch = Path(tmp)
        drawn, full, height = sample(rows, scratch)
        wall, cpu = timed([sys.executable, "-c", IMPORTS])
        print(f"imports ({IMPORTS}): {wall:.2f} s wall, {cpu:.2f} CPU s")
        for label, path in ((f"{min(rows, height)} rows (seed {VALIDATE_SEED})", drawn), (f"all {height} rows", full)):
            wall, cpu = timed([sys.executable, "-m", "pipeline", "validate", "--measured", str(path),
                               "--out", str(scratch / "out")])
            print(f"mlsys validate, {label}: {wall:.2f} s wall, {cpu:.2f} CPU s")
        if "--phases" in argv:
            print(f"in process, {min(rows, height)} rows:")
            print("\n".join(phases(drawn)))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
