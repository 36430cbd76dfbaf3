"""Replay r-adpwait onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv
(``find_cells.py``: a DeepSeek-R1 MLPerf Inference v5.1 Server row's ``adp_balancing_timeout_iters`` as its run's
own config states it) set on the row of that ``name``, the config line appended to the row's notes once and
last_verified set to the day the configs were read (r-cfgs' replay, which adds the column as null where the
catalog lacks it, as the catalog loads); every other row and column is left as the catalog has it. A second run
changes nothing.

    .venv/bin/python registry_data/research/r-adpwait/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 7)  # the day the configs were read (the mirror's commit in cells.csv)
COLUMNS = ("adp_balancing_timeout_iters",)
# r-cfgs' replay, by path: one implementation of setting a folder's cells.csv on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def apply(registry: Path = REGISTRY) -> int:
    return cfgs.apply(registry, HERE, COLUMNS, VERIFIED)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
