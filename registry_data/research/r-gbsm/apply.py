"""Replay r-gbsm onto a registry: add the GB200 NVL72 / GB300 NVL72 GPU rows to r-kernels (``add_rows.py``), then
rebuild kernel_efficiency the way the lead replays it, r-fp8attn/apply.py (``gemm_fit.catalog``: the GEMM and
attention fits) and then r-fa2bw/apply.py (its FlashAttention-2 "attention fit" rows and its measurement cells).
Each step is idempotent by row, so a second run changes nothing.

    .venv/bin/python registry_data/research/r-gbsm/apply.py

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
    _load("r_gbsm_add_rows", HERE / "add_rows.py").main(registry)
    _load("r_fp8attn_apply", HERE.parent / "r-fp8attn" / "apply.py").main()
    print(_load("r_fa2bw_apply", HERE.parent / "r-fa2bw" / "apply.py").apply(registry), "cells replayed")


if __name__ == "__main__":
    apply()
