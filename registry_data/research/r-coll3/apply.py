"""Add the held-out collective rows of r-coll3 (kernel_rows.csv here, issue 12) to the measurements
catalog, as r-coll2/add_rows.py does: a row of the same name is replaced, every other row kept,
written through pipeline.catalogs.io.write_catalog, ``source_quality`` from the catalogs' domain rule
(pipeline.catalogs.quality). Re-runnable, from the repository root:

    .venv/bin/python registry_data/research/r-coll3/apply.py [registry_dir]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.quality import quality

HERE = Path(__file__).parent
_SPEC = importlib.util.spec_from_file_location("add_kernel_rows", HERE.parent / "r-kernel-rows" / "add_kernel_rows.py")
add_kernel_rows = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(add_kernel_rows)


def main(registry: Path) -> Path:
    add_kernel_rows.HERE = HERE  # read this directory's kernel_rows.csv
    add_kernel_rows.main(registry)
    names = pl.read_csv(HERE / "kernel_rows.csv")["name"].implode()
    frame = pl.read_parquet(registry / "measurements.parquet")
    mine = pl.col("name").is_in(names)
    rule = quality(pl.col("source_url"))
    return write_catalog(frame.with_columns(source_quality=pl.when(mine).then(rule).otherwise("source_quality")),
                         "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
