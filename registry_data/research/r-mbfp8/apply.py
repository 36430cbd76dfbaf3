"""Replay r-mbfp8 onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
Megatron-Bridge recipe row's ``recompute`` as its recipe at the row's commit states it) set on the row of that
``name``, and its citation appended to the row's notes once, through r-cfgs' replay (last_verified left: it dates the
row's result). Only these cells and notes are written; every other row and column is left as the catalog has it, so
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
# r-cfgs' replay, by path: one implementation of setting a folder's cells on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply_mbfp8", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def cells() -> pl.DataFrame:
    """cells.csv (values as text) with each cell's note (r-cfgs' ``cells``)."""
    return cfgs.cells(HERE, "cells.csv", pl.String)


def apply(registry: Path = REGISTRY) -> int:
    """Replay cells.csv (values as text) onto ``registry``'s measurements; last_verified left (None)."""
    return cfgs.apply(registry, HERE, tuple(cells()["column"].unique(maintain_order=True)), None,
                      value_dtype=pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
