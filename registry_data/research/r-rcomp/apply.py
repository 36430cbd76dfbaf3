"""Replay r-rcomp onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
training row's ``recompute`` as its run's own implementation states it: find_cells.py for the MLPerf Training rows,
find_mbridge.py for the Megatron-Bridge recipe rows) set on the row of that ``name``, and its citation (the file line,
pinned to the commit the row's source_url names) appended to the row's notes once, through r-cfgs' replay
(last_verified left: it dates the row's result). Only these cells and notes are written; every other row and column
is left as the catalog has it, so the script replays onto a tree where other branches changed other rows. A second
run changes nothing.

    .venv/bin/python registry_data/research/r-rcomp/apply.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-cfgs' replay, by path: one implementation of setting a folder's cells on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply_rcomp", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def cells(folder: Path = HERE) -> pl.DataFrame:
    """``folder``'s cells.csv (values as text) with each cell's note (r-cfgs' ``cells``)."""
    return cfgs.cells(folder, "cells.csv", pl.String)


def apply(registry: Path = REGISTRY, folder: Path = HERE) -> int:
    """Replay ``folder``'s cells.csv (values as text) onto ``registry``'s measurements; last_verified left (None).
    r-mbfp8's apply.py replays its own cells.csv through this."""
    return cfgs.apply(registry, folder, tuple(cells(folder)["column"].unique(maintain_order=True)), None,
                      value_dtype=pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
