"""Add the large-scale expert-parallel and disaggregated-serving rows of rows.csv to the measurements
catalog (issue 16 item 7). Each row cites its source file at a commit and the table, sentence or
line it comes from (source_location); notes say what the row measures, why it is or is not
predictable, and its trust tier. Per-GPU values are the sources' per-node figures / 8 (8 GPUs per
node, stated by each source). Re-runnable: rows of the same names are replaced.

    .venv/bin/python registry_data/research/r-evid/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

ROWS = Path(__file__).with_name("rows.csv")
VERIFIED = datetime.date(2026, 12, 3)


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    new = pl.read_csv(ROWS, infer_schema_length=0)  # all strings; cast to the catalog's types below
    new = new.with_columns(source_quality=pl.lit("primary"), last_verified=pl.lit(VERIFIED))
    new = new.select(pl.col(c).cast(old.schema[c]) if c in new.columns else pl.lit(None, old.schema[c]).alias(c)
                     for c in old.columns)
    out = pl.concat([old.filter(~pl.col("name").is_in(new["name"].implode())), new])
    print(f"{new.height} rows from {ROWS.name}; measurements: {old.height} -> {out.height}", file=sys.stderr)
    return write_catalog(out.select(list(CATALOGS["measurements"].to_schema().columns)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
