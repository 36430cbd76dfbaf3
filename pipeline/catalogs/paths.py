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
