"""Issue 14's table from the robustness suite itself: ``python -m tests.robustness.table``.

Runs every case of ``tests/robustness`` (in this process, each in a fresh folder under its time
limit) and, unless ``--no-subprocess``, the subprocess tests (tests/runs/test_interrupted.py:
signals, kill -9, ``--out`` a file, ``ulimit -f``; tests/robustness/test_concurrency.py), then prints one row per area: cases, clear
errors (exit 2 input / 1 environment, naming what was wrong), handled correctly (exit 0),
tracebacks, hangs, wrong outputs. ``-v`` lists every case that is not clear or correct."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from tests.robustness.cases import all_cases
from tests.robustness.harness import REPO, judge
from tests.robustness.runs import make_runs

KINDS = ("clear", "correct", "traceback", "hang", "wrong")
HEADER = ("area", "cases", "clear errors", "handled (exit 0)", "tracebacks", "hangs", "wrong outputs")


def area_of(area: str) -> str:
    return area.split(":")[0]


SUBPROCESS_TESTS = ("tests/runs/test_interrupted.py", "tests/robustness/test_concurrency.py")
HANDLED = ("removed_by_the_next_run", "only_dead_processes", "complete_separately")  # exit 0 by design


def subprocess_cases() -> list[tuple[str, str]]:
    """(test id, kind) of the subprocess tests (signals, kill -9, limits, concurrency), run by pytest."""
    import contextlib
    import io

    import pytest

    outcomes: list[tuple[str, str]] = []

    class Collect:
        def pytest_runtest_logreport(self, report):
            if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
                text = str(report.longrepr)
                kind = ("correct" if any(h in report.nodeid for h in HANDLED) else "clear") \
                    if report.outcome == "passed" else "hang" if "TimeoutExpired" in text \
                    else "traceback" if "Traceback" in text else "wrong"
                outcomes.append((report.nodeid, kind))

    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(["-q", "-p", "no:cacheprovider", *(str(REPO / t) for t in SUBPROCESS_TESTS)], plugins=[Collect()])
    return outcomes


def main(argv: list[str]) -> int:
    os.environ.setdefault("MLSYS_PEERS_PYTHON", "/nonexistent")
    verbose = "-v" in argv
    counts: dict[str, Counter] = defaultdict(Counter)
    bad = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as base:
        runs = make_runs(Path(base) / "runs")
        for i, case in enumerate(all_cases()):
            folder = Path(base) / f"case{i}"
            folder.mkdir()
            verdict = judge(case, folder, runs)
            counts[area_of(case.area)][verdict.kind] += 1
            if verdict.kind not in ("clear", "correct"):
                bad.append(f"{verdict.kind}: {case.id}: {verdict.detail}")
    elapsed = time.monotonic() - start
    if "--no-subprocess" not in argv:
        for test, kind in subprocess_cases():
            counts["runs (subprocess)"][kind] += 1
            if kind not in ("clear", "correct"):
                bad.append(f"{kind}: {test}")
    rows = [[area, sum(c.values()), *(c[k] for k in KINDS)] for area, c in counts.items()]
    rows.append(["all", *(sum(r[i] for r in rows) for i in range(1, len(HEADER)))])
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(HEADER))) + "|")
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    print(f"\nin-process cases: {elapsed:.1f} s")
    if verbose or bad:
        print("\n".join(bad), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
