"""Replay r-dsv3b onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
Megatron-Bridge DeepSeek-V3 row's ``recompute``, ``virtual_stages`` or ``embedding_and_loss_in_pipeline_split`` as
the performance recipe its container ran states it: NVIDIA-NeMo/Megatron-Bridge v0.2.0 = NeMo 25.11, 0a25f911 =
the commit of the archive page the 26.02 rows quote) set on the row of that ``name``, the config line appended to the
row's notes once, last_verified set to the day the configs were read. Through r-cfgs' ``apply`` (only these cells,
notes and last_verified are written); a second run changes nothing.

    .venv/bin/python registry_data/research/r-dsv3b/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 7)
COLUMNS = ("recompute", "virtual_stages", "embedding_and_loss_in_pipeline_split")


def cfgs():
    """r-cfgs' apply module (a research folder is not a package)."""
    spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells() -> pl.DataFrame:
    """cells.csv, each cell with its note (values as text: the columns differ in type)."""
    return cfgs().cells(HERE, value_dtype=pl.String)


def apply(registry: Path = REGISTRY) -> int:
    """Replay cells.csv onto ``registry``'s measurements; the count of cells."""
    return cfgs().apply(registry, HERE, COLUMNS, VERIFIED, pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
