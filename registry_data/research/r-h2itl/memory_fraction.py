"""State the H200 SXM's measured streaming bandwidth fraction in the kernel_efficiency catalog (``memory_fraction``,
read as the kernel model's eta_memory by ``pipeline.studies.kernels.measured_memory_fraction``). Until now the H200
SXM rows had none, so its eta_memory fell back to the default inference profile's 0.825 (the middle of 0.75-0.9),
while H100 SXM5 (0.936), B200 (0.851) and MI300X (0.746) carry measured fractions.

The figure: the median of achieved / the hardware catalog's bandwidth over the five streaming kernels (Copy, Mul,
Add, Triad, Dot) of Azure's AI Benchmarking Guide on ND H200 v5 (h200_bandwidth.csv), the rule of
``pipeline.validation.bandwidth_fit.memory_fractions`` (MI300X's BabelStream rows): 4.15 / 4.8 = 0.8646.

    .venv/bin/python registry_data/research/r-h2itl/memory_fraction.py [--unstated] [REGISTRY_DIR]

``--unstated``: the H200 SXM rows' three columns null again (the catalog before this change).
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
HARDWARE = "H200 SXM 141GB"
VERIFIED = datetime.date(2026, 12, 7)


def measured_fraction(registry: Path) -> tuple[float, int, str]:
    """(median fraction, rows, first source) of h200_bandwidth.csv against the hardware catalog's peak."""
    rows = pl.read_csv(HERE / "h200_bandwidth.csv")
    peak = pl.read_parquet(registry / "hardware.parquet").filter(pl.col("name") == HARDWARE)[
        "memory_bandwidth_bytes_per_s"].item()
    fraction = (rows["achieved_tb_per_s"] * 1e12 / peak).median()
    return min(float(fraction), 1.0), rows.height, rows["source_url"][0]


def with_fraction(kernels: pl.DataFrame, stated: tuple[float, int, str] | None) -> pl.DataFrame:
    """``kernels`` with the H200 SXM rows' memory_fraction, its row count and source set (null with None)."""
    hit = pl.col("hardware") == HARDWARE
    value, rows, url = stated if stated is not None else (None, None, None)
    return kernels.with_columns(
        memory_fraction=pl.when(hit).then(pl.lit(value, dtype=pl.Float64)).otherwise(pl.col("memory_fraction")),
        memory_fraction_rows=pl.when(hit).then(pl.lit(rows, dtype=pl.Float64))
        .otherwise(pl.col("memory_fraction_rows")),
        memory_fraction_source=pl.when(hit).then(pl.lit(url, dtype=pl.String))
        .otherwise(pl.col("memory_fraction_source")),
        last_verified=pl.when(hit).then(pl.lit(VERIFIED)).otherwise(pl.col("last_verified")))


def main(argv: list[str]) -> None:
    unstated = "--unstated" in argv
    argv = [a for a in argv if a != "--unstated"]
    registry = Path(argv[0]) if argv else bundled_registry()
    stated = None if unstated else measured_fraction(registry)
    print(f"{HARDWARE}: memory_fraction {stated}", file=sys.stderr)
    out = with_fraction(pl.read_parquet(registry / "kernel_efficiency.parquet"), stated)
    print(write_catalog(out.select(list(CATALOGS["kernel_efficiency"].to_schema().columns)), "kernel_efficiency",
                        registry))


if __name__ == "__main__":
    main(sys.argv[1:])
