"""Issue 14's acceptance: every case of the issue, one bad value for each CLI option, spec key and
catalog column; zero tracebacks, zero hangs (each case under ``harness.LIMIT_S``), zero partial or
substituted outputs, every rejection naming what was wrong with exit 2 (input) or 1 (environment).
``python -m tests.robustness.table`` prints the same cases as the issue's table."""

from __future__ import annotations

import pytest

from pipeline.catalogs.schemas import CATALOGS
from pipeline.spec import TABLES
from tests.robustness import catalog_columns, options, spec_keys
from tests.robustness.cases import all_cases
from tests.robustness.harness import judge
from tests.robustness.runs import make_runs

CASES = all_cases()


@pytest.fixture(scope="session")
def robustness_runs(tmp_path_factory):
    return make_runs(tmp_path_factory.mktemp("robustness-runs"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case, tmp_path, request):
    runs = request.getfixturevalue("robustness_runs") if case.needs_runs else None
    verdict = judge(case, tmp_path, runs)
    assert verdict.kind in ("clear", "correct"), f"{verdict.kind}: {verdict.detail}"


def test_every_option_has_a_case():
    """A new option of any command fails here until it has a bad value in ``options.BAD``."""
    present = {(command, name) for command, name, _ in options.options()}
    assert present - set(options.BAD) == set(), "options without a robustness case"
    assert set(options.BAD) - present == set(), "cases for options that no longer exist"


def test_every_spec_table_and_catalog_column_has_a_case():
    assert set(TABLES) <= spec_keys.tables_covered()
    named = {c.name.split(" = ")[0] for c in CASES if c.area.startswith("catalog columns")}
    assert named == {f"{t}.{c}" for t in CATALOGS for c in catalog_columns.columns(t)}


def test_a_case_that_goes_wrong_is_caught(tmp_path):
    """The judge itself: a traceback, a wrong exit code and an unnamed problem are not passed."""
    from tests.robustness.harness import Case, Result

    def boom(ctx):
        raise RuntimeError("bug")

    assert judge(Case("t", "traceback", boom), tmp_path).kind == "traceback"
    assert judge(Case("t", "code", lambda ctx: Result(0, "", "")), tmp_path).kind == "wrong"
    assert judge(Case("t", "says", lambda ctx: Result(2, "", "error: x"), says=("--batch",)), tmp_path).kind == "wrong"
    assert judge(Case("t", "ok", lambda ctx: Result(2, "", "error: --batch"), says=("--batch",)), tmp_path).kind \
        == "clear"
