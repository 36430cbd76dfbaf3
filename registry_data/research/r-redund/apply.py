"""Issue 16 items 1 and 2: state the redundant experts and the per-pool metric of the large-scale EP
rows (r-evid) and add the H800 cluster they run on. Re-runnable: the cluster row of the same name
is replaced; each measurement row takes this folder's metric and notes, and its other values where
row_updates.csv gives one (an empty cell keeps the row's); source_location gets the addition once.

    .venv/bin/python registry_data/research/r-redund/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

HERE = Path(__file__).parent
VERIFIED = datetime.date(2026, 12, 3)
SETS = ["metric", "redundant_experts", "prompt_len", "output_len", "batch", "cluster", "notes"]


def clusters(registry: Path) -> Path:
    old = pl.read_parquet(registry / "clusters.parquet")
    new = pl.read_csv(HERE / "clusters.csv", infer_schema_length=0).with_columns(
        last_verified=pl.lit(VERIFIED), source_quality=pl.lit("primary"))
    new = new.select(pl.col(c).cast(old.schema[c]) if c in new.columns else pl.lit(None, old.schema[c]).alias(c)
                     for c in old.columns)
    out = pl.concat([old.filter(~pl.col("name").is_in(new["name"].implode())), new])
    print(f"clusters: {old.height} -> {out.height}", file=sys.stderr)
    return write_catalog(out.select(list(CATALOGS["clusters"].to_schema().columns)), "clusters", registry)


def measurements(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    if "redundant_experts" not in old.columns:
        old = old.with_columns(redundant_experts=pl.lit(None, pl.Int64))
    updates = pl.read_csv(HERE / "row_updates.csv", infer_schema_length=0)
    missing = set(updates["name"]) - set(old["name"])
    if missing:
        raise SystemExit(f"rows not in the measurements catalog (apply r-evid first): {sorted(missing)}")
    rows = old.filter(pl.col("name").is_in(updates["name"].implode())).join(
        updates.select("name", *SETS, "source_location_add"), on="name", suffix="_new")
    add = pl.col("source_location_add").fill_null("")
    new = {c: pl.col(f"{c}_new").cast(old.schema[c]) for c in SETS}
    rows = rows.with_columns(  # an empty cell keeps the row's value; metric and notes are always replaced
        (new[c] if c in ("metric", "notes") else pl.coalesce(new[c], c)).alias(c) for c in SETS)
    rows = rows.with_columns(
        source_location=pl.when(pl.col("source_location").str.contains(add, literal=True)).then("source_location")
        .otherwise(pl.col("source_location") + add), last_verified=pl.lit(VERIFIED))
    rows = rows.select(pl.col(c).cast(old.schema[c]) for c in old.columns)
    out = old.filter(~pl.col("name").is_in(updates["name"].implode())).vstack(rows)
    print(f"{rows.height} measurement rows rewritten", file=sys.stderr)
    return write_catalog(out.select(list(CATALOGS["measurements"].to_schema().columns)), "measurements", registry)


def main(registry: Path) -> list[Path]:
    return [clusters(registry), measurements(registry)]


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
