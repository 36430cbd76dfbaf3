"""Replay r-lorarows onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (a
Llama 2 70B LoRA MLPerf Training row's cell as its run's own files state it: config_*.sh, the result log's mllog
lines, the system description JSON) set on the row of that ``name`` (the catalog's unique key), cast to the
column's type and the cell's citation (its file line, pinned to a commit) appended to the row's notes once; notes.csv
replaces text of a row's notes that these cells contradict (the Dell B200 row's earlier config sentence), once.
last_verified is left: it dates the row's source_url (its result log), which these cells do not change (r-t51's v5.1
rows keep 2026-12-06). Only these cells and notes are written; every other row and column is left as the catalog
has it, so the script replays onto a tree where other branches changed other rows or columns. A second run changes
nothing. Run clusters.py first: two cells name the clusters it adds. ``--cells FILE`` replays
another cells file of this folder (cells_fp4_params.csv, after fp4_params.patch adds its column).

    .venv/bin/python registry_data/research/r-lorarows/apply.py [REGISTRY] [--cells cells.csv]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-cfgs' replay, by path: one implementation of setting a folder's cells on the catalog (here typed to each column,
# last_verified left)
_spec = importlib.util.spec_from_file_location("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)


def cells(folder: Path | None = None, file: str = "cells.csv") -> pl.DataFrame:
    """``folder``'s ``file`` (values as text: its columns differ in type) with each cell's note (r-cfgs' ``cells``)."""
    return cfgs.cells(folder or HERE, file, pl.String)


def typed(value: str, dtype: pl.DataType) -> object:
    """A cells.csv value as a value of the catalog column's type (r-cfgs' ``as_type``)."""
    return pl.select(cfgs.as_type(pl.lit(value), dtype)).item()


def corrected(frame: pl.DataFrame, folder: Path | None = None) -> pl.DataFrame:
    """``frame`` with each notes.csv ``old`` text of a row's notes replaced by ``new`` (literal; absent: unchanged)."""
    fixes = pl.read_csv((folder or HERE) / "notes.csv", infer_schema=False)
    notes = pl.col("notes")
    for name, old, new in fixes.iter_rows():
        notes = pl.when(pl.col("name") == name).then(notes.str.replace(old, new, literal=True)).otherwise(notes)
    return frame.with_columns(notes.alias("notes"))


def replayed(frame: pl.DataFrame, c: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the cells of ``c`` set, each as its column's type, and their notes appended once (r-cfgs'
    ``replayed``; last_verified left)."""
    return cfgs.replayed(frame, c, tuple(c["column"].unique(maintain_order=True)), None, HERE)


def apply(registry: Path = REGISTRY, file: str = "cells.csv") -> int:
    """Replay ``file`` onto ``registry``'s measurements (read as the catalog loads it: a column added since the
    file was written is there, null)."""
    path = registry / "measurements.parquet"
    c = cells(file=file)
    write_catalog(corrected(replayed(read_catalog("measurements", registry), c)), "measurements", registry,
                  source=f"{path} after r-lorarows/{file}")
    return c.height


if __name__ == "__main__":
    args = sys.argv[1:]
    file = "cells.csv"
    if "--cells" in args:
        i = args.index("--cells")
        file, args = args[i + 1], args[:i] + args[i + 2:]
    print(apply(Path(args[0]) if args else REGISTRY, file), "cells replayed")
