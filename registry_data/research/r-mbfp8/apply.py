"""Replay r-mbfp8 onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
Megatron-Bridge recipe row's ``recompute`` as its recipe at the row's commit states it) set on the row of that
``name``, and its citation appended to the row's notes once, through r-rcomp's (and r-cfgs') replay (last_verified
left: it dates the row's result). Only these cells and notes are written; every other row and column is left as the catalog has it, so
the script replays onto a tree where other branches changed other rows. A second run changes nothing.

    .venv/bin/python registry_data/research/r-mbfp8/apply.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-rcomp's replay of a folder's text cells (through r-cfgs'), by path: the same cells, the same column
_spec = importlib.util.spec_from_file_location("r_rcomp_apply_mbfp8", HERE.parent / "r-rcomp" / "apply.py")
rcomp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rcomp)


def cells() -> pl.DataFrame:
    """cells.csv (values as text) with each cell's note (r-rcomp's ``cells``)."""
    return rcomp.cells(HERE)


def apply(registry: Path = REGISTRY) -> int:
    """Replay cells.csv onto ``registry``'s measurements (r-rcomp's ``apply``); last_verified left."""
    return rcomp.apply(registry, HERE)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
