"""Rewrite registry_data/kernel_efficiency.parquet from the kernel fits (pipeline.validation.gemm_fit, whose
attention columns come from pipeline.validation.attention_fit), now that attention_fit also reads this folder's
attention.csv: cuDNN's FP8 SDPA forward on a B200 (NVIDIA/cudnn-frontend, sdpa_benchmark_training artifacts; see
README.md). The only new catalog cells: the (B200 (HGX B200), fp8) row's attention ceiling and kernel name, and the
attention fit's provenance (rows, sources, held-out error) on every row. Re-runnable; prints what changed.

    .venv/bin/python registry_data/research/r-fp8attn/apply.py
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation import gemm_fit

KEY = ["hardware", "precision"]


def main() -> None:
    reg = bundled_registry()
    old = pl.read_parquet(reg / "kernel_efficiency.parquet")
    new = gemm_fit.catalog(reg, today=old["last_verified"][0])
    cells = ["attention_ceiling", "attention_kernel", "attention_fit_rows", "attention_heldout_median_abs_error"]
    moved = old.select(*KEY, *cells).join(new.select(*KEY, *cells), on=KEY, suffix="_new").filter(
        pl.any_horizontal(~pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in cells[:2]))
    print(moved)
    print(write_catalog(new, "kernel_efficiency", reg, source="r-fp8attn/apply.py"))


if __name__ == "__main__":
    main()
