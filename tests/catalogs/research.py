"""Loading a research script (registry_data/research/r-*/*.py) by its path, as the tests of those folders do: the
scripts are not a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def script(path: Path, name: str) -> ModuleType:
    """The module of the script at ``path``, imported under ``name`` (registered in ``sys.modules`` while it runs, as
    a dataclass resolving its module's namespace needs)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
