"""Replay r-kvdtype onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
row's ``compute_dtype`` and ``kv_dtype`` as its source states them) set on the row of that ``name``, the source
appended to the row's notes once and last_verified set to the day the source was read (r-cfgs' replay, which adds
the ``kv_dtype`` column as null where the catalog lacks it, as the catalog loads). A second run changes nothing.

    .venv/bin/python registry_data/research/r-kvdtype/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 7)  # the day the guide was read (its commit in cells.csv)
COLUMNS = ("compute_dtype", "kv_dtype")
# r-cfgs' replay, by path: one implementation of setting a folder's cells.csv on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def apply(registry: Path = REGISTRY) -> int:
    return cfgs.apply(registry, HERE, COLUMNS, VERIFIED, value_dtype=pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
