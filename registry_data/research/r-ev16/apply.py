"""Move the published speculative-decoding speedups of r-specdec/speedups.csv into the measurements
catalog as ``spec_speedup`` rows (issue 16 item 7), so that ``mlsys validate`` predicts them with the
serving study's ``spec_speedup`` at each row's stated draft tokens, acceptance rate and drafter.
Each row keeps its source (source_url; source_location: the paper's section and what it states);
a published range is value_low / value_high with its midpoint as value (the catalog's convention).
The drafter ``head`` (MTP / EAGLE heads) is a null draft_model. The layout is the one speedups.csv
models (its hardware_note says where that differs from the paper's). Re-runnable: rows of the
same names are replaced.

    .venv/bin/python registry_data/research/r-ev16/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

SPEEDUPS = Path(__file__).resolve().parents[1] / "r-specdec" / "speedups.csv"
VERIFIED = datetime.date(2026, 12, 3)


def rows() -> pl.DataFrame:
    """speedups.csv as measurement rows (the catalog's column names; cast by ``main``)."""
    s = pl.read_csv(SPEEDUPS)
    low, high = pl.col("measured_speedup_low"), pl.col("measured_speedup_high")
    ranged = low != high
    return s.select(
        name="specdec-" + pl.col("id"), metric=pl.lit("spec_speedup"), value=(low + high) / 2.0,
        value_low=pl.when(ranged).then(low), value_high=pl.when(ranged).then(high), unit=pl.lit("1"),
        model="target_model", hardware="hardware", devices="tp", compute_dtype="precision",
        weight_dtype="precision", framework=pl.lit("default"),
        scenario=pl.when(pl.col("batch") == 1).then(pl.lit("single-stream")).otherwise(pl.lit("offline")),
        batch="batch", prompt_len="prompt_len", output_len="output_len", tp="tp", pp=pl.lit(1),
        spec_draft_tokens="spec_draft_tokens", spec_acceptance="spec_acceptance",
        draft_model=pl.when(pl.col("draft") != "head").then(pl.col("draft")),
        source_url="source_url", source_location=pl.col("source") + "; " + pl.col("measured_basis"),
        notes=pl.concat_str("hardware_note", "acceptance_basis", "note", separator="; "),
        source_quality=pl.lit("primary"), last_verified=pl.lit(VERIFIED))


def main(registry: Path) -> Path:
    old = pl.read_parquet(registry / "measurements.parquet")
    schema = CATALOGS["measurements"].to_schema().columns
    new = rows()
    dtypes = {"spec_draft_tokens": pl.Int64, "spec_acceptance": pl.Float64, "draft_model": pl.String}
    old = old.with_columns(pl.lit(None, t).alias(c) for c, t in dtypes.items() if c not in old.columns)
    new = new.select(pl.col(c).cast(old.schema[c]) if c in new.columns else pl.lit(None, old.schema[c]).alias(c)
                     for c in old.columns)
    out = pl.concat([old.filter(~pl.col("name").is_in(new["name"].implode())), new])
    print(f"{new.height} rows from {SPEEDUPS.name}; measurements: {old.height} -> {out.height}", file=sys.stderr)
    return write_catalog(out.select(list(schema)), "measurements", registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
