"""The stored kernel_efficiency catalog: ``gemm_fit.catalog`` plus what two research scripts add after the fit.

``python -m pipeline.validation.gemm_fit`` (or this module) writes ``refit``'s table, so a refit loses none of their
rows or columns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

LATER_STEPS = ("registry_data/research/r-fa2bw/kernel_rows.py", "registry_data/research/r-trattn/ratios.py")


def refit(registry: Path | None = None, today: dt.date | None = None) -> pl.DataFrame:
    """``catalog`` with what ``LATER_STEPS`` add to the stored table carried over, so that a refit loses nothing:
    r-fa2bw's "attention fit" rows (appended, as its script does) and r-trattn's columns (joined by hardware and
    precision). Those scripts rebuild them; rerun them after a refit that moves the attention fit's law."""
    reg = registry or bundled_registry()
    fresh = catalog(reg, today)
    if not (reg / "kernel_efficiency.parquet").exists():
        return fresh
    stored = pl.read_parquet(reg / "kernel_efficiency.parquet")
    later = pl.col("efficiency_basis") == "attention fit"
    added = [c for c in stored.columns if c not in fresh.columns]
    fitted = fresh.join(stored.filter(~later).select("hardware", "precision", *added), on=["hardware", "precision"],
                        how="left")
    return pl.concat([fitted, stored.filter(later).select(fitted.columns).cast(fitted.schema)])


def main() -> None:
    from pipeline.catalogs.io import write_catalog

    print(write_catalog(refit(bundled_registry()), "kernel_efficiency", bundled_registry()))
    print("kept from the stored table: r-fa2bw's attention fit rows and r-trattn's columns; rerun "
          + " and ".join(LATER_STEPS) + " if the attention fit moved")


if __name__ == "__main__":
    main()
