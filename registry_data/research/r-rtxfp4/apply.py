"""Replay r-rtxfp4 onto a registry: add the RTX PRO 6000 Blackwell Server Edition's FP4 GEMM rows to r-kernels
(``add_rows.py``), then the lead's chain, r-gbsm/apply.py (its rows, r-fp8attn/apply.py's rebuild of
kernel_efficiency through ``gemm_fit.catalog``, r-fa2bw/apply.py). Each step is idempotent by row, so a second run
changes nothing.

    .venv/bin/python registry_data/research/r-rtxfp4/apply.py

The fits read the bundled registry (``pipeline.catalogs.paths.bundled_registry``): run it from the checkout whose
registry_data it should rewrite (with that checkout's ``pipeline`` first on the path).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply(registry: Path = REGISTRY) -> None:
    _load("r_rtxfp4_add_rows", HERE / "add_rows.py").main(registry)
    _load("r_gbsm_apply", HERE.parent / "r-gbsm" / "apply.py").apply(registry)


if __name__ == "__main__":
    apply()
