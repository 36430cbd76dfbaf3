"""Rules the wall modules keep (issue 11): units kept inside, pure formulas, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pipeline.walls

WALLS = sorted(Path(pipeline.walls.__file__).parent.glob("*.py"))
FORBIDDEN_IMPORTS = ("polars", "pipeline.catalogs", "pipeline.spec", "pipeline.studies", "pipeline.runs",
                     "pipeline.validation", "pipeline.report", "pipeline.cli", "pipeline.api", "pathlib", "os", "io")


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@pytest.mark.parametrize("path", WALLS, ids=lambda p: p.name)
def test_no_polars_and_no_unit_escape(path):
    """Arithmetic and comparisons between quantities go through UExpr; text and boolean columns
    use ``E`` (the expression library), never ``pl.``, and no formula reads ``.expr`` or ``.magnitude``."""
    bad = [f"{path.name}:{n.lineno} {ast.unparse(n)}" for n in ast.walk(tree(path))
           if isinstance(n, ast.Attribute) and (n.attr in ("expr", "magnitude")
                                                or (isinstance(n.value, ast.Name) and n.value.id == "pl"))]
    assert not bad


@pytest.mark.parametrize("path", WALLS, ids=lambda p: p.name)
def test_walls_import_no_catalog_spec_study_or_file_io(path):
    """Pure column formulas: no catalog, spec, study, run or file access; no private name of another module."""
    modules, private, opens = [], [], []
    for n in ast.walk(tree(path)):
        if isinstance(n, ast.Import):
            modules += [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            modules.append(n.module or "")
            private += [a.name for a in n.names if a.name.startswith("_")]
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "open":
            opens.append(n.lineno)
    forbidden = [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IMPORTS)]
    assert not forbidden and not private and not opens


@pytest.mark.parametrize("path", WALLS, ids=lambda p: p.name)
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 400
