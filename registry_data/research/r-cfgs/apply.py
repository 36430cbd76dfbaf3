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

from pipeline.catalogs.added_columns import add_missing
from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 6)  # the day the configs were read (the mirrors' HEAD commits in cells.csv)
COLUMNS = ("max_num_tokens", "tp", "pp")
BOOLEANS = {"true": True, "false": False}  # a flag column's cell as text


def cells(folder: Path | None = None, file: str = "cells.csv", value_dtype: pl.DataType = pl.Int64) -> pl.DataFrame:
    """``folder``'s ``file`` (its values read as ``value_dtype``; text where its columns differ in type) with each
    cell's note: the column, value, the config line's URL and how the line was found (the other research folders
    replay their own cells files through this script)."""
    c = pl.read_csv((folder or HERE) / file, schema_overrides={"value": value_dtype, "line": pl.Int64})
    url = pl.format("https://github.com/{}/blob/{}/{}#L{}", "repository", "commit", "path", "line")
    return c.with_columns(pl.format("[{} = {}: {} ({})]", "column", "value", url, "why").alias("note"))


def as_type(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A cell's value as its catalog column's type: "true" / "false" for a flag, else a strict cast (a value the
    type cannot hold is an error, not a null)."""
    if dtype == pl.Boolean:
        return value.replace_strict(BOOLEANS, return_dtype=pl.Boolean)
    return value.cast(dtype, strict=True)


def replayed(frame: pl.DataFrame, c: pl.DataFrame, columns: tuple[str, ...] = COLUMNS,
             verified: dt.date | None = VERIFIED, folder: Path | None = None) -> pl.DataFrame:
    """``frame`` with the cells of ``c`` (``columns`` of them, each as its column's type) set, their notes appended
    once and last_verified set to ``verified`` on their rows (None: left as it is)."""
    where = f"{(folder or HERE).name}/cells.csv"
    counts = frame.group_by("name").len()
    bad = c.join(counts, on="name", how="left").filter(pl.col("len").fill_null(0) != 1)
    if bad.height:
        sys.exit(f"{where}: measurements has no single row named {bad['name'][0]!r} ({bad.height} cells so); each "
                 "cell names one row of the catalog")
    unknown = sorted(set(c["column"]) - set(frame.columns))
    if unknown:
        sys.exit(f"{where}: column {unknown[0]!r} is not a measurements column")
    wide = (c.pivot(on="column", index="name", values="value", aggregate_function="first")
            .rename(lambda k: k if k == "name" else f"new_{k}"))
    notes = c.group_by("name", maintain_order=True).agg(pl.col("note").str.join(" ").alias("cfg_note"))
    out = frame.join(wide, on="name", how="left").join(notes, on="name", how="left")
    touched = pl.col("cfg_note").is_not_null()
    fresh = touched & ~pl.col("notes").fill_null("").str.contains(pl.col("cfg_note"), literal=True)
    checked = pl.col("last_verified") if verified is None else \
        pl.when(touched).then(pl.lit(verified)).otherwise(pl.col("last_verified"))
    return out.with_columns(
        *(pl.coalesce(as_type(pl.col(f"new_{k}"), frame.schema[k]), k).alias(k)
          for k in columns if f"new_{k}" in out.columns),
        checked.alias("last_verified"),
        pl.when(fresh).then(pl.concat_str(pl.col("notes").fill_null(""), pl.lit(" "), pl.col("cfg_note")))
        .otherwise(pl.col("notes")).alias("notes"),
    ).select(frame.columns)


def apply(registry: Path = REGISTRY, folder: Path | None = None, columns: tuple[str, ...] = COLUMNS,
          verified: dt.date | None = VERIFIED, value_dtype: pl.DataType = pl.Int64) -> int:
    """Replay ``folder``'s cells.csv onto ``registry``'s measurements; a column added since the file was written is
    there, null (``added_columns.add_missing``, as the catalog loads)."""
    folder = folder or HERE  # read at the call (a test points HERE elsewhere)
    path = registry / "measurements.parquet"
    c = cells(folder, value_dtype=value_dtype)
    frame = add_missing(pl.read_parquet(path), "measurements", str(path))
    write_catalog(replayed(frame, c, columns, verified, folder), "measurements", registry,
                  source=f"{path} after {folder.name}/cells.csv")
    return c.height


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
