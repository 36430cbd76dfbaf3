"""All catalogs of a registry, loaded and validated together, with their content hashes.

A catalog validated once is kept on disk (``pipeline.catalogs.cache``) under its content hash, so
a new process reads unchanged catalogs without pandera, pyarrow or the unit checks of ``io``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from pipeline.catalogs import cache, plausible
from pipeline.catalogs.added_columns import lacks
from pipeline.catalogs.names import list_items
from pipeline.catalogs.paths import catalog_file, check_registry, registry_has_catalogs
from pipeline.errors import InputError, Problem, did_you_mean


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
    workloads: pl.DataFrame
    kernel_efficiency: pl.DataFrame
    conv_layers: pl.DataFrame
    paths: dict[str, Path]
    hashes: dict[str, str]  # sha256 of each Parquet file

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)


# The catalog tables, in schema order (tests check they are the schemas' tables).
TABLES = tuple(f.name for f in fields(Catalogs) if f.name not in ("paths", "hashes"))

_CACHE: dict[tuple, Catalogs] = {}


def load_catalogs(registry: str | Path | None = None) -> Catalogs:
    """Read and validate every catalog; the first bad table raises its ``InputError``. Validated
    catalogs are kept in-process, keyed by each file's path, size and modification time, and on
    disk, keyed by each file's content hash."""
    check_registry(registry, TABLES)
    paths = {t: catalog_file(t, registry) for t in TABLES}
    key = tuple((t, str(p.resolve()), *((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else (None, None)))
                for t, p in paths.items())
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _load(paths, registry)
    return _CACHE[key]


def _load(paths: dict[str, Path], registry: str | Path | None) -> Catalogs:
    frames, hashes = {}, {}
    for table, path in paths.items():
        hashes[table] = _sha256(path)
        frames[table] = cache.get(table, hashes[table]) if hashes[table] else None
        if frames[table] is None:
            from pipeline.catalogs.io import read_catalog  # pandera, pyarrow: only for a catalog not cached

            frames[table] = read_catalog(table, registry)  # a missing file raises its InputError here
            if not lacks(table, pl.read_parquet_schema(path)):  # else re-read, and noted, at every load
                cache.put(table, hashes[table], frames[table])
    for table, frame in frames.items():  # also for cached frames: MLSYS_PLAUSIBILITY may have changed
        plausible.check(frame, table, f"catalog {table!r} ({paths[table]})")
    check_references(frames, {t: f"catalog {t!r} ({p})" for t, p in paths.items()})
    return Catalogs(**frames, paths=paths, hashes=hashes)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # missing or unreadable: read_catalog reports it
        return None


REFERENCES = (("clusters", "accelerator", "hardware"), ("accelerator_costs", "accelerator", "hardware"),
              ("cloud_prices", "accelerator", "hardware"), ("measurements", "hardware", "hardware"),
              ("measurements", "model", "models"), ("measurements", "cluster", "clusters"),
              ("conv_layers", "model", "models"), ("efficiency_profiles", "graphed_models", "models"),
              ("efficiency_profiles", "window_attention_models", "models"))
# (table, column, the table whose row it names); a null names nothing; the efficiency profiles' model lists name
# one model per comma-separated item
LISTS = {"graphed_models", "window_attention_models"}


def check_references(frames: dict[str, pl.DataFrame], sources: dict[str, str]) -> None:
    """Every row a table names (an accelerator, a measurement's model or cluster) must be a row of
    the table it names; the first table that names one that is not raises its ``InputError``
    (``sources``: how to name each table)."""
    for table, column, target in REFERENCES:
        known = frames[target]["name"].to_list()
        frame = frames[table]
        if column not in frame.columns:  # an optional column a registry made before it lacks
            continue
        labels = frame[next((c for c in ("name", "profile") if c in frame.columns), column)]
        bad = [(i, label, a) for i, (label, cell) in enumerate(zip(labels, frame[column], strict=True))
               for a in (list_items(cell) if column in LISTS else [cell]) if a is not None and a not in known]
        if bad:
            what = {"hardware": "a hardware", "models": "a models", "clusters": "a clusters"}[target]
            problems = [Problem(i + 1, column, f"got {a!r}, expected {what} catalog name" + did_you_mean(a, known),
                                label) for i, label, a in bad]
            raise InputError(sources[table], problems)


def check_replacement(table: str, frame: pl.DataFrame, registry: str | Path | None, source: str) -> None:
    """Before ``frame`` replaces ``table`` in ``registry``: every other table must still resolve
    (a hardware row that clusters, costs, prices or measurements name cannot be removed or renamed)."""
    current = load_catalogs(registry) if registry_has_catalogs(registry, TABLES) else load_catalogs(None)
    frames = {t: current.table(t) for t in TABLES} | {table: frame}
    sources = {t: f"catalog {t!r} (after importing {source}, which it no longer matches)" for t in TABLES}
    check_references(frames, sources | {table: source})
