"""Scratch what-if (never committed as a catalog change): write a copy of the efficiency_profiles catalog with
``scheduler_overhead_per_iteration_s`` set to VALUE_S on the serving profiles of the named frameworks, into a
folder outside the repository, for ``mlsys validate --registry FOLDER`` / ``MLSYS_REGISTRY=FOLDER``. Tables the
folder lacks come from the bundled catalogs (pipeline/catalogs/paths.py ``catalog_file``).

    .venv/bin/python registry_data/research/r-hostcost/whatif.py OUT_DIR VALUE_S FRAMEWORK [FRAMEWORK ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
BUNDLED = HERE.parents[1] / "efficiency_profiles.parquet"


def with_overhead(profiles: pl.DataFrame, value_s: float, frameworks: list[str]) -> pl.DataFrame:
    """``profiles`` with the per-iteration scheduler time set to ``value_s`` (s) where ``framework`` is listed;
    every other cell unchanged (the source URL column is left as the catalog has it: a scratch copy only)."""
    hit = pl.col("framework").is_in(frameworks)
    return profiles.with_columns(
        scheduler_overhead_per_iteration_s=pl.when(hit).then(pl.lit(value_s))
        .otherwise(pl.col("scheduler_overhead_per_iteration_s")))


def main(out: str, value_s: str, *frameworks: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    table = pq.read_table(BUNDLED)  # the catalog's own Arrow schema: each field's 'unit' metadata kept
    changed = with_overhead(pl.from_arrow(table), float(value_s), list(frameworks))
    column = "scheduler_overhead_per_iteration_s"
    i = table.schema.get_field_index(column)
    new = pa.array(changed[column].to_list(), type=table.schema.field(i).type)
    pq.write_table(table.set_column(i, table.schema.field(i), new), folder / "efficiency_profiles.parquet")
    print(changed.filter(pl.col("framework").is_in(list(frameworks)))
          .select("profile", "framework", "scheduler_overhead_per_iteration_s", "scheduler_source_url"))


if __name__ == "__main__":
    main(*sys.argv[1:])
