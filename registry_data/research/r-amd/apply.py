"""Refit registry_data/kernel_efficiency.parquet after r-amd gave MI325X its CU count in
registry_data/research/r-kernels/sm_count.csv (304 CUs, 38 per XCD: ROCm's "AMD GPU specifications" table), so
MI325X's GEMMs take the kernel fit on its own MAMF row (784.9 TFLOPS bf16, gemm.csv) instead of the profile η
(issue 12, r-amd). Idempotent; run from the repo root: .venv/bin/python registry_data/research/r-amd/apply.py"""

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

if __name__ == "__main__":
    reg = bundled_registry()
    print(write_catalog(catalog(reg), "kernel_efficiency", reg))
