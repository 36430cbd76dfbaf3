"""Replay r-fa2bw onto a registry: the kernel_efficiency FlashAttention-2 rows (``kernel_rows.py``), then each cell of
cells.csv (an MLPerf Training BERT row's ``attention_kernel``, as its run's published config sets it) on the
measurements row of that ``name`` through r-cfgs' replay (the config line appended to the row's notes once,
last_verified set to the day the configs were read). Rows without a published config stating the kernel (the Dell
XE9712 GB200 runs; every Hopper run, whose configs leave USE_FLASH_ATTENTION unset: TE's fused attention) stay null,
the catalog's default fit. A second run changes nothing.

    .venv/bin/python registry_data/research/r-fa2bw/apply.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = dt.date(2026, 12, 7)  # the day the configs were read (the commits in cells.csv)
COLUMN = "attention_kernel"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply(registry: Path = REGISTRY) -> int:
    _load("r_fa2bw_kernel_rows", HERE / "kernel_rows.py").main(registry)
    cfgs = _load("r_cfgs_apply", HERE.parent / "r-cfgs" / "apply.py")  # one implementation of a cells.csv replay
    return cfgs.apply(registry, HERE, (COLUMN,), VERIFIED, value_dtype=pl.String)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells replayed")
