"""Where catalogs live: ``--registry`` > ``$MLSYS_REGISTRY`` > the bundled catalogs.

Kept free of pandera and pyarrow so that loading cached catalogs (``pipeline.catalogs.cache``)
imports neither.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENV_REGISTRY = "MLSYS_REGISTRY"


def bundled_registry() -> Path:
    """The catalogs shipped with the package (a wheel) or the checkout's registry_data/."""
    inside = PACKAGE_DIR / "registry_data"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "registry_data"


def registry_dir(registry: str | Path | None = None) -> Path:
    """``--registry`` > ``$MLSYS_REGISTRY`` > the bundled catalogs."""
    chosen = registry or os.environ.get(ENV_REGISTRY)
    return Path(chosen) if chosen else bundled_registry()


def catalog_file(table: str, registry: str | Path | None = None) -> Path:
    """A table (a name already checked) in the user registry, falling back to the bundled one when
    absent there."""
    path = registry_dir(registry) / f"{table}.parquet"
    return path if path.exists() else bundled_registry() / f"{table}.parquet"


def registry_has_catalogs(registry: str | Path | None, tables: tuple[str, ...]) -> bool:
    """Whether the chosen registry folder holds the Parquet file of at least one of ``tables``."""
    folder = registry_dir(registry)
    return folder.is_dir() and any((folder / f"{t}.parquet").is_file() for t in tables)


def check_registry(registry: str | Path | None, tables: tuple[str, ...]) -> None:
    """A registry named by ``--registry`` or ``$MLSYS_REGISTRY`` must be a folder holding catalog
    Parquet files (tables it lacks come from the bundled registry); a missing path, a file or a
    folder without any (a folder of CSVs, a typo) is an error, never a silent fallback."""
    chosen = registry or os.environ.get(ENV_REGISTRY)
    if not chosen:
        return
    from pipeline.errors import InputError, Problem

    where = "--registry" if registry else f"${ENV_REGISTRY}"
    folder = Path(chosen)
    if not folder.exists():
        why = f"{folder} does not exist; expected a folder of catalog .parquet files"
    elif not folder.is_dir():
        why = f"{folder} is a file; expected a folder of catalog .parquet files"
    elif not registry_has_catalogs(chosen, tables):
        csvs = sorted(p.name for p in folder.glob("*.csv"))
        why = f"{folder} holds no catalog .parquet file" + (
            f" ({len(csvs)} CSV files: import each with `mlsys catalog import --csv <file> --registry {folder}`)"
            if csvs else "")
    else:
        return
    raise InputError("registry", [Problem(None, where, why)])
