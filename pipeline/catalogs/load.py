"""All catalogs of a registry, loaded and validated together, with their content hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import catalog_path, read_catalog
from pipeline.catalogs.schemas import CATALOGS
from pipeline.errors import InputError, Problem, suggest


@dataclass(frozen=True)
class Catalogs:
    hardware: pl.DataFrame
    models: pl.DataFrame
    precisions: pl.DataFrame
    efficiency_profiles: pl.DataFrame
    clusters: pl.DataFrame
    regions: pl.DataFrame
    accelerator_costs: pl.DataFrame
    cloud_prices: pl.DataFrame
    measurements: pl.DataFrame
    storage: pl.DataFrame
    host_pipelines: pl.DataFrame
    paths: dict[str, Path]
    hashes: dict[str, str]  # sha256 of each Parquet file

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_CACHE: dict[tuple, Catalogs] = {}


def load_catalogs(registry: str | Path | None = None) -> Catalogs:
    """Read and validate every catalog; the first bad table raises its ``InputError``. Validated
    catalogs are kept in-process, keyed by each file's path, size and modification time."""
    paths = {t: catalog_path(t, registry) for t in CATALOGS}
    key = tuple((t, str(p.resolve()), *((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else (None, None)))
                for t, p in paths.items())
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _load(paths, registry)
    return _CACHE[key]


def _load(paths: dict[str, Path], registry: str | Path | None) -> Catalogs:
    frames = {t: read_catalog(t, registry) for t in CATALOGS}
    for table, column in (("clusters", "accelerator"), ("accelerator_costs", "accelerator"),
                          ("cloud_prices", "accelerator"), ("measurements", "hardware")):
        _check_references(frames[table], table, column, frames["hardware"], paths[table])
    return Catalogs(**frames, paths=paths, hashes={t: _sha256(p) for t, p in paths.items()})


def _check_references(frame: pl.DataFrame, table: str, column: str, hardware: pl.DataFrame, path: Path) -> None:
    """Every accelerator a table names must be a hardware catalog row."""
    known = hardware["name"].to_list()
    labels = frame["name"] if "name" in frame.columns else frame[column]
    bad = [(i, label, a) for i, (label, a) in enumerate(zip(labels, frame[column], strict=True)) if a not in known]
    if bad:
        problems = [Problem(i + 1, column, f"got {a!r}, expected a hardware catalog name"
                            + (f"; did you mean {', '.join(repr(s) for s in suggest(a, known))}?"
                               if suggest(a, known) else ""), label) for i, label, a in bad]
        raise InputError(f"catalog {table!r} ({path})", problems)
