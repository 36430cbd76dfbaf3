"""Run history (issue 15 item 3, part): the complete runs under an output folder, newest last,
and pruning the older ones of each study."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from pipeline.errors import InputError, Problem
from pipeline.runs.atomic import remove_abandoned
from pipeline.runs.database import runs
from pipeline.runs.publish import published

SCHEMA = {"run_id": pl.String, "study": pl.String, "created_utc": pl.String, "rows": pl.Int64,
          "wall_time_s": pl.Float64, "disk_bytes": pl.Int64, "current": pl.Boolean, "path": pl.String}


def _folder(out: str | Path) -> Path:
    out = Path(out)
    if not out.is_dir():
        raise InputError("runs", [Problem(None, "--out", f"{out} is not a folder of runs")])
    return out


def _disk_bytes(run: Path) -> int:
    return sum(p.stat().st_size for p in run.rglob("*") if p.is_file())


def list_runs(out: str | Path = "outputs") -> pl.DataFrame:
    """One row per complete run under ``out``, oldest first: id, study, creation time, rows
    written, wall time (s), size on disk (B) and whether ``<out>/current`` reads it."""
    rows = []
    current = {p.resolve() for p in published(_folder(out)).values()}
    for run in runs(_folder(out)):
        manifest = json.loads((run / "manifest.json").read_text())
        study = manifest.get("study")
        rows.append({"run_id": run.name, "study": study, "created_utc": manifest.get("created_utc"),
                     "rows": (manifest.get("rows") or {}).get(study), "wall_time_s": manifest.get("wall_time_s"),
                     "disk_bytes": _disk_bytes(run), "current": run.resolve() in current, "path": str(run)})
    return pl.DataFrame(rows, schema=SCHEMA)


def prune(out: str | Path, keep: int, dry_run: bool = False) -> list[Path]:
    """Remove all but the newest ``keep`` complete runs of each study under ``out`` (and
    incomplete folders of dead processes of this host); returns the runs removed (or that would
    be, with ``dry_run``). Runs that ``<out>/current`` reads are kept, and anything else in the
    folder is left alone."""
    if keep < 1:
        raise InputError("runs prune", [Problem(None, "--keep", f"got {keep}, expected an integer >= 1")])
    listed = list_runs(out)
    older = listed.with_columns(newer=pl.int_range(pl.len()).reverse().over("study")).filter(
        pl.col("newer") >= keep, ~pl.col("current"))
    doomed = [Path(p) for p in older["path"]]
    if not dry_run:
        for run in doomed:
            shutil.rmtree(run)
        remove_abandoned(Path(out))
    return doomed
