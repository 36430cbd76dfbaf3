"""Add the held-out collective rows of r-coll3 (kernel_rows.csv here, issue 12) to the measurements
catalog with r-coll2/add_rows.py's procedure: a row of the same name is replaced, every other row kept,
written through pipeline.catalogs.io.write_catalog, ``source_quality`` from the catalogs' domain rule.
Re-runnable, from the repository root:

    .venv/bin/python registry_data/research/r-coll3/apply.py [registry_dir]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from pipeline.catalogs.paths import bundled_registry

HERE = Path(__file__).parent
_SPEC = importlib.util.spec_from_file_location("add_rows", HERE.parent / "r-coll2" / "add_rows.py")
add_rows = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(add_rows)


def main(registry: Path) -> Path:
    add_rows.HERE = HERE  # read this directory's kernel_rows.csv
    return add_rows.main(registry)


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry()))
