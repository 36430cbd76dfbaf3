"""Replay r-cfgs onto a registry's measurements catalog (the bundled one by default): each cell of cells.csv
(``find_v41.py`` / ``find_v51.py``: a TensorRT-LLM MLPerf Inference row's ``max_num_tokens``, ``tp`` or ``pp`` as
its run's own config states it) set on the row of that ``name`` (the catalog's unique key), the config lines
appended to the row's notes once, and last_verified set to the day the configs were read. Only these cells, the
notes and last_verified of these rows are written; every other row and column is left as the catalog has it, so
the script replays onto a tree where other branches changed other rows or columns. A second run changes nothing.

    .venv/bin/python registry_data/research/r-cfgs/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 6)  # the day the configs were read (the mirrors' HEAD commits in cells.csv)
COLUMNS = ("max_num_tokens", "tp", "pp")


def cells(folder: Path | None = None) -> pl.DataFrame:
    """``folder``'s cells.csv with each cell's note: the column, value, the config line's URL and how the line was
    found (r-dsr1c replays its own cells.csv through this script)."""
    c = pl.read_csv((folder or HERE) / "cells.csv", schema_overrides={"value": pl.Int64, "line": pl.Int64})
    url = pl.format("https://github.com/{}/blob/{}/{}#L{}", "repository", "commit", "path", "line")
    return c.with_columns(pl.format("[{} = {}: {} ({})]", "column", "value", url, "why").alias("note"))


def replayed(frame: pl.DataFrame, c: pl.DataFrame, columns: tuple[str, ...] = COLUMNS, verified: dt.date = VERIFIED,
             folder: Path | None = None) -> pl.DataFrame:
    """``frame`` with the cells of ``c`` (``columns`` of them) set, their notes appended once and last_verified set to
    ``verified`` on their rows."""
    counts = frame.group_by("name").len()
    bad = c.join(counts, on="name", how="left").filter(pl.col("len").fill_null(0) != 1)
    if bad.height:
        sys.exit(f"{(folder or HERE).name}/cells.csv: measurements has no single row named {bad['name'][0]!r} "
                 f"({bad.height} cells "
                 "so); each cell names one row of the catalog")
    wide = (c.pivot(on="column", index="name", values="value", aggregate_function="first")
            .rename(lambda k: k if k == "name" else f"new_{k}"))
    notes = c.group_by("name", maintain_order=True).agg(pl.col("note").str.join(" ").alias("cfg_note"))
    out = frame.join(wide, on="name", how="left").join(notes, on="name", how="left")
    touched = pl.col("cfg_note").is_not_null()
    fresh = touched & ~pl.col("notes").fill_null("").str.contains(pl.col("cfg_note"), literal=True)
    return out.with_columns(
        *(pl.coalesce(f"new_{k}", k).alias(k) for k in columns if f"new_{k}" in out.columns),
        pl.when(touched).then(pl.lit(verified)).otherwise(pl.col("last_verified")).alias("last_verified"),
        pl.when(fresh).then(pl.concat_str(pl.col("notes").fill_null(""), pl.lit(" "), pl.col("cfg_note")))
        .otherwise(pl.col("notes")).alias("notes"),
    ).select(frame.columns)


def apply(registry: Path = REGISTRY, folder: Path | None = None, columns: tuple[str, ...] = COLUMNS,
          verified: dt.date = VERIFIED) -> int:
    folder = folder or HERE  # read at the call (a test points HERE elsewhere)
    path = registry / "measurements.parquet"
    frame = pl.read_parquet(path)
    c = cells(folder)
    write_catalog(replayed(frame, c, columns, verified, folder), "measurements", registry,
                  source=f"{path} after {folder.name}/cells.csv")
    return c.height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
