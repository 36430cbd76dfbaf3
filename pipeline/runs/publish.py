"""``<out>/current``: a stable location a dashboard points at (issue 15 item 2).

Every completed run is published: ``<out>/current`` is a symbolic link to a folder under
``<out>/.current/`` holding

    results.duckdb      a view per study (``node``, ``serving``, ``training``: the newest published run
                        of each) and per catalog table (of the run published last), with absolute paths,
                        so the file opens from any working directory; the column dictionary and comments
    study=<study>       a link to that run's partitions, for readers of the Parquet glob
                        (``<out>/current/study=serving/*/*.parquet``)
    dimensions/<study>-{hardware,model}.parquet
                        links to that run's dimension tables (``pipeline.runs.narrow``)
    published.json      study -> the run folder each view reads

A new version is written beside the old one and the link is swapped with one ``rename`` (atomic on
POSIX), so a reader sees the old or the new version, never half of one; versions no longer linked are
removed. A run folder itself is not changed: its own ``results.duckdb`` keeps relative paths and still
opens after the folder is moved. A moved or pruned run drops out of ``current`` at the next publish
(``mlsys runs prune`` keeps the runs ``current`` reads).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.runs.database import create_database, run_study, run_views
from pipeline.runs.narrow import DIMENSIONS
from pipeline.runs.partitions import study_folder
from pipeline.runs.typed import output_dictionary

CURRENT = "current"
VERSIONS = ".current"
INDEX = "published.json"
LOCK = "lock"


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One publisher at a time per output folder (an advisory lock, released if the process dies)."""
    (out / VERSIONS).mkdir(parents=True, exist_ok=True)
    with open(out / VERSIONS / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def published(out: str | Path) -> dict[str, Path]:
    """Study -> the run folder ``<out>/current`` reads (runs that no longer exist left out)."""
    index = Path(out) / CURRENT / INDEX
    try:
        entries = json.loads(index.read_text())
    except (OSError, ValueError):
        return {}
    return {s: Path(p) for s, p in entries.items() if (Path(p) / "manifest.json").exists()}


def publish(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Make ``run_dir`` the current run of its study under ``out`` (default: its parent folder);
    returns ``<out>/current``."""
    run_dir = Path(run_dir).resolve()
    out = Path(out or run_dir.parent).resolve()
    study = run_study(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    with _locked(out):
        runs = published(out) | {study: run_dir}
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        version = out / VERSIONS / f"{stamp}-{os.getpid()}"
        version.mkdir(parents=True)
        views = {}
        for name, run in sorted(runs.items()):
            views |= run_views(run, name, (), absolute=True)
            (version / study_folder(name)).symlink_to(run / study_folder(name), target_is_directory=True)
            for table in sorted((run / DIMENSIONS).glob(f"{name}-*.parquet")):  # a narrow run's dimension tables
                (version / DIMENSIONS).mkdir(exist_ok=True)
                (version / DIMENSIONS / table.name).symlink_to(table)
        views |= run_views(run_dir, study, manifest["catalogs"], absolute=True)
        create_database(version, views, {"column_dictionary": output_dictionary()})
        (version / INDEX).write_text(json.dumps({s: str(p) for s, p in sorted(runs.items())}, indent=2) + "\n")
        link = out / f".{CURRENT}-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(VERSIONS) / version.name, target_is_directory=True)
        os.replace(link, out / CURRENT)  # the atomic swap
        for old in (out / VERSIONS).iterdir():
            if old != version and old.name != LOCK:
                shutil.rmtree(old, ignore_errors=True)
    return out / CURRENT
