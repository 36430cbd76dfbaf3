"""Replay r-amdv41 onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv
(``find_cells.py``: an MLPerf Inference v4.1 AMD MI300X Llama 2 70B (99 %) Server or Offline row, its vLLM engine's
``batch`` (max_num_seqs; Server only), ``max_num_tokens`` (max_num_batched_tokens) and ``tp`` as AMD's harness sets
them) set on the row of that ``name``, the harness line appended to the row's notes once and last_verified set to
the day the harness was read. Through r-cfgs' replay (one implementation); every other row and column is left as
the catalog has it. A second run changes nothing.

    .venv/bin/python registry_data/research/r-amdv41/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
COLUMNS = ("batch", "max_num_tokens", "tp")
VERIFIED = dt.date(2026, 12, 7)
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def apply(registry: Path = REGISTRY) -> int:
    return cfgs.apply(registry, HERE, COLUMNS, VERIFIED)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
