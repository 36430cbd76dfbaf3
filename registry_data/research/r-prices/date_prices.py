"""Give every cloud_prices row an ``as_of`` (the date its price applies) and refresh the AWS rows
that predate AWS's June 2025 cut of P4/P5 on-demand prices (issue 13 item 4). Re-runnable:

    .venv/bin/python registry_data/research/r-prices/date_prices.py [registry_dir]

Source of the AWS prices, read 2026-12-03: AWS's own Karpenter provider, whose file
``pkg/providers/pricing/zz_generated.pricing_aws.go`` is generated from the AWS Price List API and
states "generated at 2026-01-19T13:23:24Z for us-east-1" (commit 031e72b6 below). It lists, USD per
instance-hour, us-east-1 Linux on-demand: p4d.24xlarge 21.957642, p4de.24xlarge 27.447050,
p5.48xlarge 55.040000, p5en.48xlarge 63.296000 (each 8 GPUs), and unchanged from the rows' earlier
SkyPilot snapshot: p3dn.24xlarge 31.212, g6.48xlarge 13.3504, g6e.48xlarge 30.13118, g6e.xlarge
1.861, inf2.24xlarge 6.49063, trn1.32xlarge 21.5. AWS's own price page
(https://aws.amazon.com/ec2/pricing/on-demand/) renders its table with JavaScript and is not in the
search corpus, so the generated file is the dated AWS-published figure used.

Every other row keeps its price; its ``as_of`` is its source's date where the source states one
(Modal's survey: 2025-08-12), else the day the undated source was read (``last_verified``), and
the notes say which.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

KARPENTER = ("https://github.com/aws/karpenter-provider-aws/blob/031e72b6099630e960dacb88b48a7e9bb780945f/"
             "pkg/providers/pricing/zz_generated.pricing_aws.go")
GENERATED = dt.date(2026, 1, 19)  # "generated at 2026-01-19T13:23:24Z for us-east-1"
READ = dt.date(2026, 12, 3)
# instance -> (USD per instance-hour in the file, accelerators per instance, old per-accelerator price)
REFRESH = {"p4d.24xlarge": (21.957642, 8, 4.096575), "p4de.24xlarge": (27.447050, 8, 5.120719),
           "p5.48xlarge": (55.040000, 8, 12.29), "p5en.48xlarge": (63.296000, 8, 10.6)}
SAME = {"p3dn.24xlarge": 31.212, "g6.48xlarge": 13.3504, "g6e.48xlarge": 30.13118, "g6e.xlarge": 1.861,
        "inf2.24xlarge": 6.49063, "trn1.32xlarge": 21.5}  # the same figure as the row's SkyPilot source
MODAL = "https://modal.com/blog/nvidia-l40s-price-article"


def _aws_on_demand(instance: str) -> pl.Expr:
    return ((pl.col("cloud") == "AWS") & (pl.col("pricing") == "on-demand") & (pl.col("cloud_region") == "us-east-1")
            & (pl.col("instance") == instance))


def main(registry: Path) -> Path:
    columns = list(CATALOGS["cloud_prices"].to_schema().columns)
    out = pl.read_parquet(registry / "cloud_prices.parquet")
    if "as_of" not in out.columns:
        out = out.with_columns(as_of=pl.lit(None, pl.Date))
    # default: the source's stated date (Modal) or the day an undated source was read
    out = out.with_columns(as_of=pl.coalesce(
        "as_of", pl.when(pl.col("source_url") == MODAL).then(pl.lit(dt.date(2025, 8, 12))).otherwise("last_verified")))
    dated_by_aws = pl.any_horizontal([_aws_on_demand(i) for i in [*REFRESH, *SAME]])
    undated = pl.col("source_url").str.contains("skypilot-catalog|neowin.net") & ~dated_by_aws
    out = out.with_columns(notes=pl.when(undated & ~pl.col("notes").str.contains("as_of =", literal=True))
                           .then(pl.concat_str("notes", pl.lit(" as_of = the day this undated source was read, "
                                                               "not a publication date.")))
                           .otherwise("notes"))
    for instance, (per_instance, n, old) in REFRESH.items():
        new = per_instance / n
        assert _count(out, instance) == 1, instance
        note = (f"AWS Price List API figure in AWS's Karpenter provider (zz_generated.pricing_aws.go, 'generated at "
                f"2026-01-19T13:23:24Z for us-east-1'): {instance} ${per_instance:g}/h / {n} = ${new:.6g} per "
                f"accelerator-hour, after AWS's June 2025 cut of P4/P5 on-demand prices (was ${old:.6g} in the "
                f"pre-cut SkyPilot snapshot, {100 * (new / old - 1):+.0f} %). Provider page: "
                "https://aws.amazon.com/ec2/pricing/on-demand/. as_of = the file's generation date.")
        out = out.with_columns(
            usd_per_accelerator_hour=pl.when(_aws_on_demand(instance)).then(new).otherwise("usd_per_accelerator_hour"),
            **{c: pl.when(_aws_on_demand(instance)).then(pl.lit(v)).otherwise(c) for c, v in (
                ("source_url", KARPENTER), ("notes", note), ("last_verified", READ), ("as_of", GENERATED),
                ("price_year", GENERATED.year))})
        print(f"{instance}: {old:.6g} -> {new:.6g} USD per accelerator-hour", file=sys.stderr)
    for instance, per_instance in SAME.items():
        rows = _aws_on_demand(instance)
        assert _count(out, instance) == 1, instance
        out = out.with_columns(
            as_of=pl.when(rows).then(pl.lit(GENERATED)).otherwise("as_of"),
            last_verified=pl.when(rows).then(pl.lit(READ)).otherwise("last_verified"),
            price_year=pl.when(rows).then(pl.lit(GENERATED.year)).otherwise("price_year"),
            notes=pl.when(rows & ~pl.col("notes").str.contains("Karpenter", literal=True)).then(pl.concat_str(
                "notes", pl.lit(f" The same ${per_instance:g}/h is in AWS's Karpenter provider's Price List API file "
                                f"generated 2026-01-19 ({KARPENTER}), read {READ}; "
                                "as_of = that date, price_year its year.")))
            .otherwise("notes"))
    return write_catalog(out.select(columns), "cloud_prices", registry)


def _count(frame: pl.DataFrame, instance: str) -> int:
    return frame.filter(_aws_on_demand(instance)).height


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
