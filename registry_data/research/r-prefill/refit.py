"""Rewrite registry_data/kernel_efficiency.parquet with ``pipeline.validation.gemm_fit`` (the Ampere α of
``latency_fit.sweep_intercepts``), keeping the ``last_verified`` of every row whose other values did not change.

Run: ``.venv/bin/python registry_data/research/r-prefill/refit.py`` (a second run changes nothing).
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

KEY = ["hardware", "precision"]


def main() -> None:
    reg = bundled_registry()
    old = read_catalog("kernel_efficiency", reg)
    new = catalog(reg)
    values = [c for c in new.columns if c != "last_verified"]
    same = new.select(values).join(old.select(values), on=values, how="semi", nulls_equal=True).select(KEY)
    kept = old.select(*KEY, old_verified=pl.col("last_verified")).join(same, on=KEY, how="semi")
    out = new.join(kept, on=KEY, how="left").with_columns(
        last_verified=pl.coalesce("old_verified", "last_verified")).drop("old_verified").select(new.columns)
    print(f"{out.height - kept.height} of {out.height} rows changed")
    print(write_catalog(out, "kernel_efficiency", reg))


if __name__ == "__main__":
    main()
