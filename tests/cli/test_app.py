"""The ``mlsys`` application: help, start-up without heavy modules, and exit codes. The
start-up and exit-code tests run a process: that is what they test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENTRY_POINT = Path(sys.executable).parent / "mlsys"
COMMANDS = ("sweep", "evaluate", "query", "columns", "validate", "calibrate", "bench", "catalog", "report")


def process(argv: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MLSYS_REGISTRY"}
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_help_lists_the_commands(mlsys):
    res = mlsys("--help")
    assert res.exit_code == 0, res.stderr
    commands = res.stdout.split("Commands", 1)[1]
    for name in COMMANDS:
        assert f" {name} " in commands, name


def test_catalog_help_lists_its_subcommands(mlsys):
    res = mlsys("catalog", "--help")
    assert res.exit_code == 0
    for sub in ("check", "list", "show", "export", "import"):
        assert sub in res.stdout


def test_entry_point_and_python_m_answer_help(tmp_path):
    exe = [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "pipeline"]
    for argv in (exe, [sys.executable, "-m", "pipeline"]):
        res = process([*argv, "--help"], tmp_path)
        assert res.returncode == 0, res.stderr
        assert "Usage:" in res.stdout and "evaluate" in res.stdout


def test_importing_the_cli_loads_no_heavy_module(tmp_path):
    code = ("import pipeline.cli, pipeline, sys; "
            "print([m for m in ('polars','pint','pandera','duckdb','rich') if m in sys.modules])")
    res = process([sys.executable, "-c", code], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_input_error_exits_2_with_the_message_on_stderr(tmp_path):
    res = process([sys.executable, "-m", "pipeline", "evaluate", "--model", "ResNet-50", "--study", "node"], tmp_path)
    assert res.returncode == 2
    assert res.stdout == ""
    assert "error: " in res.stderr and "--hardware" in res.stderr and "required by the node study" in res.stderr


def test_a_file_where_a_folder_is_expected_says_so():
    """tryout: `sweep --out taken` (a file) said only "File exists"."""
    from pipeline.cli.app import failure

    code, message = failure(FileExistsError(17, "File exists", "/tmp/taken"))
    assert code == 1
    assert message.startswith("error: cannot write or read /tmp/taken: File exists: a file where a folder is expected")
