"""The patch kept out of main (r-gemmk2 README): rewrite registry_data/kernel_efficiency.parquet with the Hopper K loop
of ``pipeline.validation.gemm_fit_arch`` (k_half = a fixed time per tile per operand width, H100 = H200) on top of
``gemm_fit.catalog``. Re-runnable on main; undo with `git checkout registry_data/kernel_efficiency.parquet`.

    .venv/bin/python registry_data/research/r-gemmk2/apply_hopper_k_loop.py
    .venv/bin/python -m tests.validation.make_baseline > /tmp/bl.json 2> /tmp/bl.err
"""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation import gemm_fit, gemm_fit_arch

if __name__ == "__main__":
    reg = bundled_registry()
    stored = pl.read_parquet(reg / "kernel_efficiency.parquet")
    frame = gemm_fit_arch.with_hopper_k_loop(gemm_fit.catalog(reg, today=stored["last_verified"][0]), reg)
    print(frame.filter(pl.col("hardware").is_in(list(gemm_fit_arch.HOPPER))).select(
        "hardware", "precision", "ceiling", "best_fraction", "k_half"))
    print(write_catalog(frame, "kernel_efficiency", reg))
