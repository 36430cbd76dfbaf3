"""The incomplete run folder is known to the signal handler (``atomic.OPEN``, which ``remove_open`` empties) from
before it exists: a Ctrl-C between the folder's creation and its registration once left it behind
(tests/runs/test_interrupted.py, seen under load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.runs.atomic import INCOMPLETE, OPEN, atomic_directory


def _watch_mkdir(monkeypatch, fail: bool = False) -> list[bool]:
    seen, real = [], Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name.startswith(INCOMPLETE):
            seen.append(self in OPEN)
            if fail:
                raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    return seen


def test_the_folder_is_registered_before_it_is_made(tmp_path, monkeypatch):
    seen = _watch_mkdir(monkeypatch)
    with atomic_directory(tmp_path / "run") as directory:
        assert directory.tmp in OPEN
    assert seen == [True] and not OPEN and directory.final.is_dir()


def test_a_folder_that_could_not_be_made_is_not_left_registered(tmp_path, monkeypatch):
    seen = _watch_mkdir(monkeypatch, fail=True)
    with pytest.raises(PermissionError), atomic_directory(tmp_path / "run"):
        pass
    assert seen == [True] and not OPEN
