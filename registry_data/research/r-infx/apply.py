"""Append r-infx's rows (rows.csv, ``build_rows.py``) to a registry's measurements catalog (the bundled one by
default): rows the catalog does not hold by name, in the catalog's own columns and types (a column rows.csv does not
state is null, whatever columns the catalog has by then; r-v50b's ``merged``). A second run changes nothing; it
replays onto a tree where other branches changed other rows or columns.

    .venv/bin/python registry_data/research/r-infx/apply.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.added_columns import add_missing
from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
# r-v50b's merge of new rows into the catalog's schema, by path: one implementation
_spec = importlib.util.spec_from_file_location("add_rows_v50b_for_infx", HERE.parent / "r-v50b" / "add_rows.py")
v50b = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(v50b)


def new_rows(measurements: pl.DataFrame) -> pl.DataFrame:
    """rows.csv's rows whose name the catalog does not hold."""
    rows = pl.read_csv(HERE / "rows.csv", try_parse_dates=True, infer_schema_length=None)
    return rows.join(measurements.select("name"), on="name", how="anti")


def apply(registry: Path = REGISTRY) -> int:
    """Append the rows ``registry``'s measurements lacks; the number appended."""
    path = registry / "measurements.parquet"
    frame = add_missing(pl.read_parquet(path), "measurements", str(path))
    added = new_rows(frame)
    if added.height:
        write_catalog(v50b.merged(frame, added), "measurements", registry, source=f"{path} after r-infx/rows.csv")
    return added.height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "rows appended")
