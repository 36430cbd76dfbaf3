"""Loading a research script (registry_data/research/r-*/*.py) by its path, as the tests of those folders do (the
scripts are not a package), replaying a folder's measurement patches, and reading one row of a bundled catalog."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import polars as pl

REGISTRY = Path(__file__).resolve().parents[2] / "registry_data"  # the bundled catalogs


def script(path: Path, name: str) -> ModuleType:
    """The module of the script at ``path``, imported under ``name`` (registered in ``sys.modules`` while it runs, as
    a dataclass resolving its module's namespace needs)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def replayed(folder: Path, name: str, tmp_path: Path) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    """The patches of research folder ``folder`` applied again by r-feas/apply.py (imported under ``name``) to a copy
    of the bundled measurements catalog in ``tmp_path``: the patches applied, the copy after, the bundled catalog."""
    registry = folder.parent.parent
    shutil.copy(registry / "measurements.parquet", tmp_path / "measurements.parquet")
    applied = script(folder.parent / "r-feas" / "apply.py", name).apply(tmp_path, folder, {})
    after, bundled = (pl.read_parquet(d / "measurements.parquet") for d in (tmp_path, registry))
    return applied, after, bundled


def bundled_row(table: str, name: str) -> dict:
    """The row ``name`` of the bundled catalog ``table`` (its Parquet file as written)."""
    return pl.read_parquet(REGISTRY / f"{table}.parquet").filter(pl.col("name") == name).row(0, named=True)
