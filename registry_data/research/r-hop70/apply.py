"""Replay r-hop70 onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv
(``find_cells.py``: an MLPerf TensorRT-LLM Llama 2 70B row on Hopper, its engine's ``kv_dtype``, Server ``batch``
cap, ``max_num_tokens``, ``tp`` or ``pp`` as the run's own files state them, and the ``output_len`` of the
four v4.1 NVIDIA rows citing a results page, from the run's log) set on the row of that ``name``, the
line appended to the row's notes once and last_verified set to the day the files were read. Through r-cfgs' replay
(one implementation); every other row and column is left as the catalog has it. A second run changes nothing.

    .venv/bin/python registry_data/research/r-hop70/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
COLUMNS = ("kv_dtype", "batch", "max_num_tokens", "tp", "pp", "output_len")
VERIFIED = dt.date(2026, 12, 7)
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def apply(registry: Path = REGISTRY) -> int:
    # values as text (kv_dtype beside integers), each cast to its column's type by the replay
    return cfgs.apply(registry, HERE, COLUMNS, VERIFIED, value_dtype=pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
