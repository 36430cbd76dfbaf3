"""What the r-srvspd4 scripts share: r-srvspd3's ``common`` loaded by path (which loads r-srvspd's and r-srvrow's):
``cpu`` (this process's CPU s), ``prepared`` (the serving bench's spec at N rows, prepared as ``mlsys bench`` does)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(folder: str, name: str):
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}".replace("-", "_").removesuffix(".py"),
                                                  HERE.parent / folder / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


srvspd3 = load("r-srvspd3", "common.py")
cpu, prepared = srvspd3.cpu, srvspd3.prepared
