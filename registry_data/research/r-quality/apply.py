"""Fill ``source_quality`` (primary | secondary) on every catalog table (issue 13 item 5). Re-runnable,
and idempotent: run it again after rows were added (by a CSV import or another script) and the
new rows get the column too; a second run changes nothing.

    .venv/bin/python registry_data/research/r-quality/apply.py [registry_dir]

The rule (``pipeline/catalogs/quality.py``): ``secondary`` when ``source_url``'s host is a news
site, aggregator, re-host, mirror, wiki or AI encyclopedia, third-party spec database or anonymous
CDN, or the URL is a third-party compilation (SkyPilot's price catalog, co2.js's re-packaging of
Ember and Electricity Maps); ``primary`` otherwise (vendor datasheets, documentation, whitepapers,
official repositories, papers, benchmark result repositories). ``OVERRIDES`` below are the rows the
rule misjudges, each with its reason.

Replaced sources (``REPLACE``): a secondary URL whose figures a primary source states, where that
primary source was read for the row. Its ``last_verified`` becomes the day that source was read for the
row (the AWS rows keep theirs: the prices work read the file and set it), and the old URL is kept in
``notes``.

It prints the count of secondary rows per table (stderr) and the files written.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.dump import table_key
from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.quality import quality
from pipeline.catalogs.schemas import CATALOGS

# (table, {key column: value}) -> (quality, reason): rows the domain rule misjudges
OVERRIDES: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[str, str]] = {
    ("models", (("name", "Mixtral 8x22B"),)): (
        "secondary", "config.json of the mistral-community re-upload, not Mistral AI's own repository "
                     "(huggingface.co/mistralai/Mixtral-8x22B-v0.1), which was not read here"),
}

# Rows whose own notes say the figures came through a copy (a transcription, a re-hosted file) or that the
# cited page was not opened: what was read is secondary, whatever source_url names (issue 13 item 5).
READ_THROUGH = r"(?i)\bread (via|through)\b|transcri(ption|bed)|\bnot opened\b|re-host"
THROUGH_WHY = ("the notes say these figures were read through a copy (a transcription or re-hosted file) or that the "
               "cited source was not opened; source_url names the primary source they quote")

KARPENTER = ("https://github.com/aws/karpenter-provider-aws/blob/031e72b6099630e960dacb88b48a7e9bb780945f/"
             "pkg/providers/pricing/zz_generated.pricing_aws.go")
APPLE_M2_ULTRA = "https://www.apple.com/pt/newsroom/2023/06/apple-introduces-m2-ultra"
# (table, condition on the row, new source_url, why, last_verified when that source was read for this row, else
# None: the date stays): the condition is false once replaced, so a second run changes nothing
REPLACE = [
    ("cloud_prices",
     pl.col("source_url").str.contains("skypilot-org/skypilot-catalog", literal=True)
     & pl.col("notes").str.contains(KARPENTER, literal=True),
     KARPENTER,
     "source_url was SkyPilot's catalog ({old}), a third-party compilation; the same price is in AWS's own "
     "Price List API file of its Karpenter provider (read 2026-12-03, see above), now source_url.", None),
    ("hardware",
     (pl.col("name") == "M2 Ultra") & pl.col("source_url").str.contains("fierceelectronics.com", literal=True),
     APPLE_M2_ULTRA,
     "source_url was a news report ({old}); Apple's press release of 2023-06-05 (English text), read 2026-12-03, "
     "states 'up to a breakthrough 192GB of memory capacity' and '800GB/s of memory bandwidth', the row's "
     "memory_capacity_bytes and memory_bandwidth_bytes_per_s; the GPU figures stay third-party as said above.",
     dt.date(2026, 12, 3)),
]


def _override_expr(table: str) -> tuple[pl.Expr, pl.Expr]:
    """(quality, reason) expressions of the table's overrides (null where none applies)."""
    q, why = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for (t, key), (value, reason) in OVERRIDES.items():
        if t != table:
            continue
        match = pl.all_horizontal([pl.col(c) == v for c, v in key])
        q = pl.when(match).then(pl.lit(value)).otherwise(q)
        why = pl.when(match).then(pl.lit(reason)).otherwise(why)
    return q, why


def apply_table(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    if "source_quality" not in frame.columns:
        frame = frame.with_columns(source_quality=pl.lit(None, pl.String))
    for t, condition, url, why, verified in REPLACE:
        if t == table:
            hit = condition.fill_null(False)
            frame = frame.with_columns(
                notes=pl.when(hit).then(pl.concat_str(
                    "notes", pl.lit(" " + why.split("{old}")[0]), "source_url", pl.lit(why.split("{old}")[1])))
                .otherwise("notes"),
                source_url=pl.when(hit).then(pl.lit(url)).otherwise("source_url"),
                last_verified=pl.when(hit & (verified is not None)).then(pl.lit(verified)).otherwise("last_verified"))
    q, why = _override_expr(table)
    through = pl.col("notes").fill_null("").str.contains(READ_THROUGH)
    q = pl.coalesce(q, pl.when(through).then(pl.lit("secondary")))
    why = pl.coalesce(why, pl.when(through).then(pl.lit(THROUGH_WHY)))
    note = pl.concat_str(pl.lit("source_quality "), q, pl.lit(": "), why, pl.lit("."))
    return frame.with_columns(
        source_quality=pl.coalesce(q, quality(pl.col("source_url"))),
        notes=pl.when(q.is_not_null() & ~pl.col("notes").fill_null("").str.contains("source_quality ", literal=True))
        .then(pl.concat_str(pl.col("notes").fill_null(""), pl.lit(" "), note).str.strip_chars())
        .otherwise("notes"))


def main(registry: Path) -> dict[str, int]:
    counts, changed = {}, {}
    for table in CATALOGS:  # every table computed (and its errors raised) before any is written
        path = registry / f"{table}.parquet"
        if not path.exists():  # a user registry holds only the tables it overrides
            continue
        before = pl.read_parquet(path)
        after = apply_table(before, table)
        counts[table] = after.filter(pl.col("source_quality") == "secondary").height
        if not (before.columns == after.columns and before.equals(after)):
            changed[table] = after
    for table, after in changed.items():
        print(write_catalog(after, table, registry, source=f"{registry / table}.parquet (r-quality/apply.py)"))
    for table, n in counts.items():
        key = ", ".join(table_key(table))
        print(f"{table:<20} {n:>4} secondary rows (key: {key})", file=sys.stderr)
    return counts


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
