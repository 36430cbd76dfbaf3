"""Replay patches.csv onto a registry's measurements catalog (the bundled one by default): each NVIDIA v5.0 and
ASUSTeK v5.1 Mixtral 8x7B MLPerf row whose submitter's config states ModelOpt AutoQuantize's ``effective_bits`` gets
it as ``weight_effective_bits``, and the v5.0 B200 rows the mix's reference format (fp8, not all-fp4); every value
cites its config line (repo, commit, path, line) in patches.csv. Rows are matched by name; the column is added as
nulls first when missing; nothing else is set, so a second run (or a run after other helpers' scripts) changes
nothing but these cells. From the repository root:

    .venv/bin/python registry_data/research/r-mixbits/apply.py [REGISTRY]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
COLUMN = "weight_effective_bits"
TYPES = {COLUMN: pl.Float64, "compute_dtype": pl.String, "weight_dtype": pl.String}
BEFORE = {"compute_dtype": {"fp4", "fp8"}, "weight_dtype": {"fp4", "fp8"}}  # what a dtype cell may be replaced from


def patched(frame: pl.DataFrame, patches: list[dict]) -> pl.DataFrame:
    """``frame`` with every patch's cell set (the column added as nulls first when missing)."""
    if COLUMN not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias(COLUMN))
    for p in patches:
        row = frame.filter(pl.col("name") == p["name"])
        if row.height != 1 or p["column"] not in TYPES:
            sys.exit(f"patches.csv: measurements has no single row {p['name']!r} (or {p['column']!r} is not "
                     f"one of {sorted(TYPES)})")
        if p["column"] in BEFORE and row[p["column"]].item() not in BEFORE[p["column"]]:
            sys.exit(f"patches.csv: {p['name']!r} {p['column']} is {row[p['column']].item()!r}, expected one of "
                     f"{sorted(BEFORE[p['column']])}")
        value = pl.lit(p["value"]).cast(TYPES[p["column"]])
        frame = frame.with_columns(pl.when(pl.col("name") == p["name"]).then(value).otherwise(pl.col(p["column"]))
                                   .alias(p["column"]))
    return frame


def main(registry: Path) -> None:
    path = registry / "measurements.parquet"
    with open(HERE / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    before = pl.read_parquet(path)
    after = patched(before, patches)
    if COLUMN in before.columns and after.equals(before):
        print(f"{path}: unchanged ({len(patches)} cells already set)")
        return
    write_catalog(after, "measurements", registry, source=f"{path} after r-mixbits/patches.csv")
    print(f"{path}: {len(patches)} cells set ({after[COLUMN].is_not_null().sum()} rows state {COLUMN})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY)
