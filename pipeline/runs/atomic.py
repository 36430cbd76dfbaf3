"""The one atomic run-directory writer: a run directory appears only when complete.

Everything is written under a hidden temporary name beside the final one and renamed at
the end (``os.rename`` is atomic on one file system), so a failed or killed run leaves the
earlier runs as they were and never a half-written directory under the final name.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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


@contextmanager
def atomic_directory(final: Path) -> Iterator[AtomicDirectory]:
    """Write into ``.tmp`` inside the block; on success it is renamed to ``final`` (or the next free
    name, see ``free_name``) and ``.final`` says which; on any error it is removed."""
    final.parent.mkdir(parents=True, exist_ok=True)
    directory = AtomicDirectory(final.parent / f".incomplete-{final.name}-{os.getpid()}")
    directory.tmp.mkdir()
    try:
        yield directory
        directory.final = free_name(final)
        os.rename(directory.tmp, directory.final)
    except BaseException:
        shutil.rmtree(directory.tmp, ignore_errors=True)
        raise
