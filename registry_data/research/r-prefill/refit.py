"""Rewrite registry_data/kernel_efficiency.parquet with ``pipeline.validation.gemm_fit`` (the whole fit, one
``last_verified`` for every row as tests/validation/test_gemm_fit.py expects): what r-prefill changed is the
Ampere family's ``memory_latency_s`` (``latency_fit.sweep_intercepts``); every other value is the same fit.

Run: ``.venv/bin/python registry_data/research/r-prefill/refit.py`` (the same as
``python -m pipeline.validation.gemm_fit``; a second run on the same day changes nothing).
"""

from __future__ import annotations

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.gemm_fit import catalog

if __name__ == "__main__":
    print(write_catalog(catalog(bundled_registry()), "kernel_efficiency", bundled_registry()))
