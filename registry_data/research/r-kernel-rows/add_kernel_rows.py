"""Add the kernel measurement rows (kernel_rows.csv, issue 12 item 6) to the measurements
catalog, with the kernel columns (null) on every other row. Re-runnable: a row of the same
name is replaced, every other row kept as it is.

    .venv/bin/python registry_data/research/r-kernel-rows/add_kernel_rows.py [registry_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

HERE = Path(__file__).parent


def main(registry: Path) -> Path:
    columns = CATALOGS["measurements"].to_schema().columns
    types = {c: {"Float64": pl.Float64, "Int64": pl.Int64, "Boolean": pl.Boolean, "Date": pl.Date}.get(
        str(spec.dtype), pl.String) for c, spec in columns.items()}
    old = pl.read_parquet(registry / "measurements.parquet")
    new = pl.read_csv(HERE / "kernel_rows.csv", infer_schema=False).with_columns(pl.col(pl.String).replace("", None))
    new = new.with_columns(pl.col("last_verified").str.to_date("%Y-%m-%d"),
                           *(pl.col(c).cast(t) for c, t in types.items() if c in new.columns and c != "last_verified"))
    kept = old.filter(~pl.col("name").is_in(new["name"].implode()))
    out = pl.concat([kept, new], how="diagonal_relaxed")
    out = out.with_columns(pl.lit(None, t).alias(c) for c, t in types.items() if c not in out.columns)
    return write_catalog(out.select(list(columns)).with_columns(pl.col(c).cast(t) for c, t in types.items()),
                         "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
