"""All catalogs of a registry, loaded and validated together, with their content hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import catalog_path, read_catalog
from pipeline.catalogs.schemas import CATALOGS


@dataclass(frozen=True)
class Catalogs:
    hardware: pl.DataFrame
    models: pl.DataFrame
    precisions: pl.DataFrame
    efficiency_profiles: pl.DataFrame
    paths: dict[str, Path]
    hashes: dict[str, str]  # sha256 of each Parquet file

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_catalogs(registry: str | Path | None = None) -> Catalogs:
    """Read and validate every catalog; the first bad table raises its ``InputError``."""
    paths = {t: catalog_path(t, registry) for t in CATALOGS}
    frames = {t: read_catalog(t, registry) for t in CATALOGS}
    return Catalogs(**frames, paths=paths, hashes={t: _sha256(p) for t, p in paths.items()})
