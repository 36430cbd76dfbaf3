"""Validated catalogs kept on disk, so a new process skips pandera for catalogs it has seen.

An entry is the validated (schema-coerced) table as Arrow IPC, named by a hash of the catalog
file's sha256 (the one the manifest records), the package version and the version of the rules
that validate it (the source of ``schemas.py``, ``io.py`` and the unit definitions): an edited
catalog, another release or a changed rule misses the cache and is validated again.

The cache only ever saves time: an entry that cannot be read is ignored and rebuilt, and a cache
directory that cannot be written is skipped without a word. Entries are written to a temporary
file and renamed, so a reader never sees half an entry.

Location: ``$MLSYS_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlsys-pipeline``, else
``~/.cache/mlsys-pipeline``; entries go in its ``catalogs/`` directory.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

import polars as pl

ENV_CACHE_DIR = "MLSYS_CACHE_DIR"
FORMAT = 1  # layout of an entry; bump when it changes
# The files that decide what a valid catalog is (schemas, checks, the unit definitions they compare).
RULES = ("catalogs/schemas.py", "catalogs/efficiency_schema.py", "catalogs/kernel_schema.py", "catalogs/io.py",
         "units.txt")


def cache_dir() -> Path:
    """``$MLSYS_CACHE_DIR`` > ``$XDG_CACHE_HOME/mlsys-pipeline`` > ``~/.cache/mlsys-pipeline``."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlsys-pipeline"


@functools.cache
def rules_version() -> str:
    """Package version, entry format and a hash of the validation rules' source."""
    try:
        package = metadata.version("mlsys-pipeline")
    except metadata.PackageNotFoundError:
        package = "0+unknown"
    digest = hashlib.sha256()
    package_dir = Path(__file__).resolve().parent.parent
    for name in RULES:
        try:
            digest.update((package_dir / name).read_bytes())
        except OSError:  # no source (a bytecode-only install): the package version alone decides
            digest.update(name.encode())
    return f"{package}-{FORMAT}-{digest.hexdigest()[:16]}"


def entry_path(table: str, sha256: str) -> Path:
    key = hashlib.sha256(f"{table}\0{sha256}\0{rules_version()}".encode()).hexdigest()
    return cache_dir() / "catalogs" / f"{table}-{key[:32]}.arrow"


def get(table: str, sha256: str) -> pl.DataFrame | None:
    """The validated table for a catalog file with this content hash, or None (not cached, or unreadable)."""
    path = entry_path(table, sha256)
    try:
        return pl.read_ipc(path)
    except Exception:  # missing, truncated or garbage: polars and the OS raise several types
        return None


def put(table: str, sha256: str, frame: pl.DataFrame) -> None:
    """Store a validated table; silently nothing if the cache directory cannot be written."""
    path = entry_path(table, sha256)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            frame.write_ipc(out)
        os.replace(tmp, path)
    except Exception:  # a full or read-only disk: the cache is an optimisation, never an error
        pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
