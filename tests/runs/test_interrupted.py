"""Issue 14 item 5: a run that is interrupted, terminated or killed, or whose folder cannot be
written, leaves earlier results intact, no half-written run, and one clear line. Subprocesses:
signals and exit codes are the point."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.runs.atomic import LOCK, remove_abandoned

# ~3 M rows: long enough to be caught while it writes (the default spec with 24 batch values)
SLOW_SPEC = """
[axes]
hardware = "all"
model = "all"
compute_dtype = ["fp16", "bf16", "fp8"]
batch = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096]
seq_len = [512, 1024, 2048, 4096, 8192]
workload = ["inference", "training"]
"""


def _start(tmp_path: Path, *args: str, **kwargs) -> subprocess.Popen:
    (tmp_path / "slow.toml").write_text(SLOW_SPEC)
    return subprocess.Popen([sys.executable, "-m", "pipeline", "sweep", "--spec", str(tmp_path / "slow.toml"),
                             "--out", str(tmp_path / "out"), "--no-map", *args],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def _incomplete(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "out").glob(".incomplete-*")) if (tmp_path / "out").is_dir() else []


def _when_writing(tmp_path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not _incomplete(tmp_path):
        assert proc.poll() is None, f"the sweep ended before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.parametrize(("sig", "code", "said"), [(signal.SIGINT, 130, "interrupted (Ctrl-C)"),
                                                   (signal.SIGTERM, 143, "terminated (SIGTERM)")])
def test_a_signal_removes_the_incomplete_run_and_says_so(tmp_path, sig, code, said):
    proc = _start(tmp_path)
    _when_writing(tmp_path, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert said in err and "Traceback" not in err
    assert _incomplete(tmp_path) == [] and list((tmp_path / "out").iterdir()) == []


def test_a_killed_runs_folder_is_removed_by_the_next_run(tmp_path):
    proc = _start(tmp_path)
    _when_writing(tmp_path, proc)
    left = _incomplete(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    assert _incomplete(tmp_path) == left and len(left) == 1  # kill -9 runs no cleanup
    assert remove_abandoned(tmp_path / "out") == left
    assert _incomplete(tmp_path) == []


def test_only_dead_processes_of_this_host_are_cleaned_up(tmp_path):
    def abandoned(name: str, host: str, pid: int) -> Path:
        d = tmp_path / f".incomplete-{name}"
        d.mkdir()
        (d / LOCK).write_text(json.dumps({"host": host, "pid": pid}))
        return d

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    gone = abandoned("dead", socket.gethostname(), int(dead))
    alive = abandoned("alive", socket.gethostname(), os.getpid() if False else os.getppid())
    other = abandoned("other-host", "some-other-host.example", int(dead))
    (tmp_path / ".incomplete-no-lock").mkdir()
    assert remove_abandoned(tmp_path) == [gone]
    assert alive.exists() and other.exists() and (tmp_path / ".incomplete-no-lock").exists()


def test_out_naming_a_file_is_one_clear_line(tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    res = subprocess.run([sys.executable, "-m", "pipeline", "sweep", "--out", str(tmp_path / "taken"), "--no-map"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    assert res.stderr.startswith("error: cannot write or read") and "taken" in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) <= 2


def test_a_file_size_limit_is_one_clear_line_and_leaves_nothing(tmp_path):
    """ulimit -f: Python ignores SIGXFSZ, so the write fails with EFBIG (File too large)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (80_000, 80_000))  # below the largest Parquet file

    res = subprocess.run([sys.executable, "-m", "pipeline", "sweep", "--out", str(tmp_path / "out"), "--no-map"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert res.returncode == 1, res.stderr
    assert "error: cannot write or read" in res.stderr and "File too large" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_remove_open_removes_again_what_a_writer_added_meanwhile(tmp_path, monkeypatch):
    """A writer thread that adds a file while the signal handler's first ``rmtree`` runs leaves the folder behind
    (``ignore_errors``); ``remove_open`` removes it again until it is gone."""
    from pipeline.runs import atomic

    run = tmp_path / ".incomplete-run"
    (run / "study=node").mkdir(parents=True)
    real = atomic.shutil.rmtree
    calls = []

    def rmtree(path, ignore_errors=False):
        real(path, ignore_errors=ignore_errors)
        calls.append(path)
        if len(calls) == 1:  # the writer's late file, as the handler's first pass ends
            (run / "study=node").mkdir(parents=True)
            (run / "study=node" / "part-0.parquet").write_bytes(b"x")

    monkeypatch.setattr(atomic.shutil, "rmtree", rmtree)
    monkeypatch.setattr(atomic, "OPEN", {run})
    assert atomic.remove_open() == [run]
    assert not run.exists() and len(calls) == 2 and atomic.OPEN == set()
