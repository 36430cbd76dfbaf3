"""``mlsys`` in-process: typer's test runner, with input errors turned into exit code 2 and a
message on stderr exactly as the entry point does (``pipeline.cli.app.main``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import InputError


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def mlsys(tmp_path, monkeypatch):
    """``mlsys(*args)``: run a command in ``tmp_path`` with no $MLSYS_REGISTRY (set it with
    ``env=``); returns the exit code, stdout and stderr."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLSYS_REGISTRY", raising=False)

    def run(*args, env: dict[str, str] | None = None) -> Outcome:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)
        for key in env or {}:
            monkeypatch.delenv(key)
        if isinstance(result.exception, InputError):
            return Outcome(2, result.stdout, result.stderr + f"error: {result.exception}\n")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return run
