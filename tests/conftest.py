"""Shared fixtures: a private copy of the bundled registry, a small sweep spec, and ``mlsys`` in-process
(typer's test runner, with input errors turned into exit code 2 and a message on stderr exactly as the
entry point ``pipeline.cli.app.main`` does)."""

from __future__ import annotations

import datetime
import shutil
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app, failure

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "registry_data"


# One work unit for pytest-xdist: tests/validation, whose conftest sets up package-scoped fixtures (the bundled
# measurements catalog predicted whole, ~30 s of CPU, among them)
ONE_UNIT = "tests/validation/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under ``--dist loadfile`` (pyproject's addopts) each test module is a work unit, so one worker sets up its
    module-scoped fixtures (``--dist load`` hands a module's tests to both workers, and both set them up), and the
    tests/validation package is one unit, so one worker sets up its package-scoped fixtures. (``--dist loadgroup``
    would need ``xdist_group`` marks, which pytest 9.2 ignores: xdist 3.8 renames ``item._nodeid``, pytest reads
    ``item._id``.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return ONE_UNIT if nodeid.startswith(ONE_UNIT) else super()._split_scope(nodeid)

    return Units(config, log)


@pytest.fixture(scope="session", autouse=True)
def catalog_cache(tmp_path_factory) -> Iterator[Path]:
    """A per-session catalog cache (``$MLSYS_CACHE_DIR``, inherited by CLI subprocesses), so the
    tests never read or write the user's ``~/.cache``."""
    directory = tmp_path_factory.mktemp("mlsys-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLSYS_CACHE_DIR", str(directory))
        yield directory


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A writable copy of the bundled catalogs (tests may corrupt it)."""
    target = tmp_path / "registry"
    shutil.copytree(BUNDLED, target)
    return target


@pytest.fixture
def small_spec() -> dict:
    """A few accelerators and models: fast, and covers CNN, encoder, decoder and MoE rows."""
    return {
        "axes": {
            "hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "MI300X", "T4"],
            "model": ["ResNet-50", "BERT-Large", "Llama 2 7B", "Mixtral 8x7B"],
            "compute_dtype": ["fp16", "bf16", "fp8"],
            "batch": [1, 8, 64],
            "seq_len": [384, 2048],
            "workload": ["inference", "training"],
        }
    }


@pytest.fixture
def freeze_clock(monkeypatch):
    """``freeze_clock(when)`` makes ``pipeline.runs.run`` see ``when`` as the current UTC time."""
    from pipeline.runs import write

    def freeze(when: datetime.datetime) -> None:
        class Frozen(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return when

        fake = types.ModuleType("datetime")  # the real module, with a frozen datetime.now
        fake.__dict__.update(vars(datetime))
        fake.datetime = Frozen
        monkeypatch.setattr(write, "dt", fake)

    return freeze


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args, env: dict[str, str] | None = None) -> Outcome:
    """Run ``mlsys *args`` in this process with no $MLSYS_REGISTRY (set variables with ``env=``);
    the ``cli`` fixture for module-scoped fixtures, the ``mlsys`` fixture for tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLSYS_REGISTRY", raising=False)
        for key, value in (env or {}).items():
            mp.setenv(key, value)
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)
    ended = failure(result.exception) if result.exception is not None else None
    if ended is not None:  # what pipeline.cli.main prints and returns
        return Outcome(ended[0], result.stdout, result.stderr + ended[1] + "\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def mlsys(tmp_path, monkeypatch):
    """``mlsys(*args, env=None)``: run a command in ``tmp_path`` in this process (see ``invoke``);
    returns the exit code, stdout and stderr."""
    monkeypatch.chdir(tmp_path)
    return invoke


@pytest.fixture(scope="session")
def cli():
    """``invoke`` for fixtures wider than a test: runs in the current directory, so pass paths."""
    return invoke
