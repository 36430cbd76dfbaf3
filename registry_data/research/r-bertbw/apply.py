"""Replay r-bertbw onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv
(``build_cells.py``: an MLPerf Training BERT row's ``microbatch`` as its run's own result log states it) and of
labels.csv (its ``framework``, a text cell) set on the row of that ``name``, the log line appended to the row's notes
once, and last_verified set to the day the logs were read. Only these cells, the notes and last_verified of these
rows are written; a second run changes nothing.

    .venv/bin/python registry_data/research/r-bertbw/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 7)  # the day the logs were read (the commits in cells.csv)
COLUMNS = ("microbatch",)
# r-cfgs' replay, by path: one implementation of setting a folder's cells.csv on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def apply(registry: Path = REGISTRY) -> int:
    n = cfgs.apply(registry, HERE, COLUMNS, VERIFIED)
    path = registry / "measurements.parquet"
    text = cfgs.cells(HERE, "labels.csv", pl.String)
    frame = cfgs.replayed(pl.read_parquet(path), text, ("framework",), VERIFIED, HERE)
    write_catalog(frame, "measurements", registry, source=f"{path} after {HERE.name}/labels.csv")
    return n + text.height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
