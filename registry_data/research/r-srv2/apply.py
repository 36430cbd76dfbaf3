"""Refit registry_data/kernel_efficiency.parquet with the sustained (MSMF) fractions of msmf.csv (issue 12,
r-srv2). Idempotent; run from the repo root: .venv/bin/python registry_data/research/r-srv2/apply.py"""

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

if __name__ == "__main__":
    reg = bundled_registry()
    print(write_catalog(catalog(reg), "kernel_efficiency", reg))
