"""Refit registry_data/kernel_efficiency.parquet after r-bw (issue 12) gave GB200 NVL72 GPU, B300 (HGX B300),
GB300 NVL72 GPU and H200 NVL 141GB the GEMM kernel fit through ``pipeline.validation.gemm_fit.TRANSFER`` (the
same SM architecture as B200 / B300 / H200 SXM: unit count, ceiling and sustained fraction where they have none of
their own) and mapped stas00's "NVIDIA B300 SXM" MAMF rows to B300 (HGX B300) (``gemm_fit.VENDOR_AS``).
Idempotent except for ``last_verified``; run from the repo root: .venv/bin/python registry_data/research/r-bw/apply.py"""

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

if __name__ == "__main__":
    reg = bundled_registry()
    print(write_catalog(catalog(reg), "kernel_efficiency", reg))
