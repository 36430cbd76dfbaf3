"""Add the closed-loop serving rows of rows.csv (benchmarks at a fixed concurrency, issue 12) to the measurements
catalog by r-evid's procedure (its ``main``, this folder's rows and date). Each row cites its page and the
table, row and column it comes from (source_location); notes say what stands in for what. Validation only: no
efficiency is fitted to them. Re-runnable: rows of the same names are replaced.

    .venv/bin/python registry_data/research/r-closed/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import importlib.util
import sys
from pathlib import Path

from pipeline.catalogs.paths import bundled_registry

HERE = Path(__file__).parent


def main(registry: Path) -> Path:
    spec = importlib.util.spec_from_file_location("apply_evid", HERE.parent / "r-evid" / "apply.py")
    evid = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evid)
    evid.ROWS, evid.VERIFIED = HERE / "rows.csv", datetime.date(2026, 12, 4)
    return evid.main(registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
