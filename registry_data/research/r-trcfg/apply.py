"""Replay r-trcfg onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv (an
MLPerf Training row's cell as its run's own published files state it) set on the row of that ``name`` (the catalog's
unique key), cast to the column's type, and its citation (the file line, pinned to a commit) appended to the row's
notes once, through r-cfgs' replay (r-lorarows' use of it: last_verified left, it dates the row's result log);
notes.csv replaces the sentence of a row's notes the cell makes stale ("No catalogued cluster ..."), once.
Only these cells and notes are written; every other row and column is left as the catalog has it, so the script
replays onto a tree where other branches changed other rows or columns. A second run changes nothing.

The one cell names the Theia cluster r-lorarows/clusters.py adds: run that first on a tree without it (the script
stops naming the cluster rather than write a row the catalog's check would refuse).

    .venv/bin/python registry_data/research/r-trcfg/apply.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-cfgs' replay, by path: one implementation of setting a folder's cells on the catalog
_spec = importlib.util.spec_from_file_location("r_cfgs_apply_trcfg", HERE.parent / "r-cfgs" / "apply.py")
cfgs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cfgs)
# r-lorarows' notes correction, by path: notes.csv's old text of a row's notes replaced by new, once
_spec = importlib.util.spec_from_file_location("r_lorarows_apply_trcfg", HERE.parent / "r-lorarows" / "apply.py")
lorarows = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lorarows)


def cells(folder: Path | None = None) -> pl.DataFrame:
    """``folder``'s cells.csv (values as text: its columns differ in type) with each cell's note (r-cfgs' ``cells``)."""
    return cfgs.cells(folder or HERE, "cells.csv", pl.String)


def replayed(frame: pl.DataFrame, c: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the cells of ``c`` set, each as its column's type, and their notes appended once (r-cfgs'
    ``replayed``; last_verified left). A cluster cell must name a row of ``clusters``."""
    named = c.filter(pl.col("column") == "cluster")
    missing = named.filter(~pl.col("value").is_in(clusters["name"].implode()))
    if missing.height:
        sys.exit(f"r-trcfg/cells.csv: row {missing['name'][0]!r}: cluster {missing['value'][0]!r} is not in the "
                 "clusters catalog (run r-lorarows/clusters.py first)")
    return cfgs.replayed(frame, c, tuple(c["column"].unique(maintain_order=True)), None, HERE)


def apply(registry: Path = REGISTRY) -> int:
    """Replay cells.csv onto ``registry``'s measurements (read as the catalog loads it: a column added since the file
    was written is there, null)."""
    path = registry / "measurements.parquet"
    c = cells()
    clusters = pl.read_parquet(registry / "clusters.parquet")
    frame = replayed(read_catalog("measurements", registry), c, clusters)
    write_catalog(lorarows.corrected(frame, HERE), "measurements", registry, source=f"{path} after r-trcfg/cells.csv")
    return c.height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
