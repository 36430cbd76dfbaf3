"""What-if (research only; nothing of it enters a catalog): the five Google TPU multislice training rows predicted
with their clusters' scale-out latency set to each of LATENCIES in a scratch copy of the registry. The catalog has
no published DCN latency for Cloud TPU (README), so these rows stay unpredicted; this only shows how much the
value would matter.

    nice .venv/bin/python registry_data/research/r-trcfg/whatif_latency.py SCRATCH_DIR
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.validation import errors, predict, read_measurements

REGISTRY = Path(__file__).parent.parent.parent
LATENCIES = (1e-5, 1e-4, 1e-3)  # s: probes, not values of any source
MULTISLICE = pl.col("name").str.contains("multislice", literal=True)


def main(scratch: Path) -> None:
    scratch.mkdir(parents=True, exist_ok=True)
    for f in REGISTRY.iterdir():
        if f.name != "research" and not (scratch / f.name).exists():
            (shutil.copytree if f.is_dir() else shutil.copy)(f, scratch / f.name)
    clusters = pl.read_parquet(REGISTRY / "clusters.parquet")
    for latency in LATENCIES:
        write_catalog(clusters.with_columns(pl.when(MULTISLICE).then(latency).otherwise("scaleout_latency_s")
                                            .alias("scaleout_latency_s")), "clusters", scratch)
        catalogs = load_catalogs(scratch)
        rows = read_measurements(None, catalogs).rows.filter(pl.col("name").str.contains("tpu-(trillium|v5e)"))
        table = errors(rows, predict(rows, catalogs))
        for r in table.sort("name").iter_rows(named=True):
            print(f"{latency:g} s  {r['name']}  {r['measured']:.0f}  {r['predicted']:.0f}  {r['error_pct']:+.1f} %")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
