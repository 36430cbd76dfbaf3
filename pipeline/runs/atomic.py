"""The one atomic run-directory writer: a run directory appears only when complete.

Everything is written under a hidden temporary name beside the final one and renamed at
the end (``os.rename`` is atomic on one file system), so a failed or killed run leaves the
earlier runs as they were and never a half-written directory under the final name. An error
removes the temporary directory on the way out, and Ctrl-C or SIGTERM at the command line
removes it before the process exits (``remove_open``, called by ``pipeline.cli.app``'s signal
handler, since an exception raised inside a native call cannot unwind it); one left by a process killed
outright (``kill -9``, a lost machine) carries a lock file naming its host and process, and the
next run into the same folder removes it once that process is gone from this host (never a
directory of another host, which may still be writing).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INCOMPLETE = ".incomplete-"
LOCK = ".lock"
OPEN: set[Path] = set()  # incomplete directories of this process, for a signal handler to remove


def free_name(path: Path) -> Path:
    """``path``, or ``path-1``, ``path-2``, ... : the first name not taken yet."""
    candidate, n = path, 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.name}-{n}"), n + 1
    return candidate


class AtomicDirectory:
    """``tmp``: the hidden directory to write into; ``final``: where it was renamed to (set on success)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.final: Path | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def remove_abandoned(folder: Path) -> list[Path]:
    """Remove the incomplete directories in ``folder`` whose lock names this host and a process
    that no longer runs; returns what was removed. Directories without a readable lock, of
    another host or of a live process are left alone."""
    removed = []
    host = socket.gethostname()
    for tmp in folder.glob(f"{INCOMPLETE}*") if folder.is_dir() else []:
        try:
            lock = json.loads((tmp / LOCK).read_text())
            mine, pid = lock["host"] == host, int(lock["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if mine and pid != os.getpid() and not _alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


@contextmanager
def atomic_directory(final: Path) -> Iterator[AtomicDirectory]:
    """Write into ``.tmp`` inside the block; on success it is renamed to ``final`` (or the next free
    name, see ``free_name``) and ``.final`` says which; on any error, Ctrl-C or SIGTERM (see
    ``pipeline.cli.app``) it is removed. Abandoned directories of dead processes go first."""
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(final.parent)
    directory = AtomicDirectory(final.parent / f"{INCOMPLETE}{final.name}-{os.getpid()}")
    OPEN.add(directory.tmp)  # before it exists: a signal between the two would leave a folder no handler knows of
    try:
        directory.tmp.mkdir()
    except BaseException:  # not made here: nothing of ours to remove
        OPEN.discard(directory.tmp)
        raise
    try:
        (directory.tmp / LOCK).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}))
        yield directory
        (directory.tmp / LOCK).unlink()
        while True:  # another process may take the free name between the check and the rename
            directory.final = free_name(final)
            try:
                os.rename(directory.tmp, directory.final)
                break
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
    except BaseException:
        shutil.rmtree(directory.tmp, ignore_errors=True)
        raise
    finally:
        OPEN.discard(directory.tmp)


def remove_open(attempts: int = 50) -> list[Path]:
    """Remove this process's incomplete directories (a signal handler's last act before exiting). The writer's
    threads (polars' sinks, DuckDB) run on while the handler does: a file they add during ``rmtree`` leaves its
    folder behind (the error ignored), so each directory is removed again until it is gone (10 ms apart, at most
    ``attempts`` times; seen under load in tests/runs/test_interrupted.py)."""
    removed = sorted(OPEN)
    for tmp in removed:
        for _ in range(attempts):
            shutil.rmtree(tmp, ignore_errors=True)
            if not tmp.exists():
                break
            time.sleep(0.01)
    OPEN.clear()
    return removed
