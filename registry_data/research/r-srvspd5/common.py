"""What the r-srvspd5 scripts share: r-srvspd4's ``common`` loaded by path (which loads r-srvspd3's, r-srvspd's and
r-srvrow's): ``cpu`` (this process's CPU s), ``prepared`` (the serving bench's spec at N rows, prepared as
``mlsys bench`` does) and ``load`` (a module of another r-* folder by path)."""

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


srvspd4 = load("r-srvspd4", "common.py")
cpu, prepared = srvspd4.cpu, srvspd4.prepared
