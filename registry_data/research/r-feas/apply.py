"""Replay patches.csv (written by make_patches.py) onto the measurements catalog: the parallel layout
and FP8 storage of MLPerf llama2_70b_lora rows (issue 12, test_feasible), each value cited to a line of
the submission's config or result log. The row columns fp8_params, fp8_dot_product_attention and
activation_func_fp8_input_store (pipeline.catalogs.kernel_schema.TrainingRunColumns) are added as
nulls first when missing. The source is appended to the row's notes once, so a second run changes
nothing. Run from the repository root:

    .venv/bin/python registry_data/research/r-feas/apply.py

Given a directory, it replays that directory's patches.csv instead (columns that already exist, and any named
COLUMN:DTYPE after it added as nulls first when missing):

    .venv/bin/python registry_data/research/r-feas/apply.py registry_data/research/r-405tp
    .venv/bin/python registry_data/research/r-feas/apply.py registry_data/research/r-ttft scheduler_steps:Int64
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"fp8_params": pl.Boolean, "fp8_dot_product_attention": pl.Boolean,
               "activation_func_fp8_input_store": pl.Boolean}


def _typed(value: str, dtype: pl.DataType):
    if dtype == pl.Boolean:
        return value.lower() == "true"
    return pl.Series([value]).cast(dtype).item()


def apply(registry: Path = REGISTRY, here: Path = HERE, new_columns: dict = NEW_COLUMNS) -> int:
    """Replay ``here``/patches.csv (r-feas2 replays its own through this procedure)."""
    path = registry / "measurements.parquet"
    frame = pl.read_parquet(path)
    frame = frame.with_columns(pl.lit(None, t).alias(c) for c, t in new_columns.items() if c not in frame.columns)
    with open(here / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    for p in patches:
        where = pl.col("name") == p["name"]
        if p["column"] not in frame.columns or frame.filter(where).height != 1:
            sys.exit(f"patches.csv: measurements has no single row {p['name']!r} with column {p['column']!r}")
        dtype = frame.schema[p["column"]]
        note = f" [{p['column']} = {p['value']}: {p['source']}]"
        frame = frame.with_columns(
            pl.when(where).then(pl.lit(_typed(p["value"], dtype), dtype)).otherwise(pl.col(p["column"]))
            .alias(p["column"]),
            pl.when(where & ~pl.col("notes").str.contains(note, literal=True))
            .then(pl.col("notes") + note).otherwise(pl.col("notes")).alias("notes"))
    write_catalog(frame, "measurements", registry, source=f"{path} after {here.name}/patches.csv")
    return len(patches)


if __name__ == "__main__":
    added = {c: getattr(pl, t) for c, t in (a.split(":") for a in sys.argv[2:])}
    print(apply(REGISTRY, Path(sys.argv[1]), added) if len(sys.argv) > 1 else apply(), "patches")
