"""Incremental reruns (issue 15 item 4): a run reuses the partitions of an earlier run whose inputs
did not change and computes only the others.

Every partition (``study=<study>/<key>=<accelerator>``, ``pipeline.runs.partitions``) records in the
run's ``manifest.json`` (``inputs.partitions``) a sha256 over what its rows are computed from:

    common     the spec (``SweepSpec.as_dict``, overrides included), the code version (package
               version and a sha256 of the package's .py/.toml/.txt sources, ``code_version``) and the
               content hash of every catalog table except the keyed ones below (a change to any
               model, precision, efficiency profile, kernel efficiency, region, price ... row
               recomputes every partition: each partition reads every model)
    keyed      the rows of the accelerator's own catalog rows, read from the catalogs the run used:
               its ``hardware`` row, and for training the ``clusters`` rows built on it

A run given an earlier one (``runs.run(..., reuse_from=RUN)``; ``mlsys sweep --reuse`` and
``mlsys nightly`` pass the newest run of the same study) hard-links (copies across file systems)
the Parquet parts of every partition whose hash is the same in both, and computes the others.
The rows are those of a full recompute, except ``run_id``: a reused row keeps the id of the run
that computed it (the manifest's ``reused`` names that run and the partitions).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path

import polars as pl

from pipeline.runs import narrow
from pipeline.runs.manifest import version
from pipeline.runs.partitions import HIVE_NULL, partition_folder, study_folder
from pipeline.runs.prepared import Prepared
from pipeline.runs.typed import KEYED, PARTITION_KEY

SOURCES = ("*.py", "*.toml", "*.txt")  # what the package computes from besides the catalogs and the spec


@functools.cache
def code_version() -> dict:
    """The package version and a sha256 over the package's source files (path and bytes)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for pattern in SOURCES for p in root.rglob(pattern) if "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return {"package_version": version(), "sources_sha256": digest.hexdigest()}


def _sha(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def partition_inputs(prepared: Prepared) -> dict:
    """``{"code": code_version(), "partitions": {partition folder: sha256 of its inputs}}`` for every
    accelerator of the sweep's hardware side (see the module docstring)."""
    name, catalogs = prepared.spec.study, prepared.catalogs
    keyed = KEYED[name]
    common = _sha({"spec": prepared.spec.as_dict(), "code": code_version(),
                   "catalogs": {t: h for t, h in sorted(catalogs.hashes.items()) if t not in keyed},
                   "model_keys": narrow.model_join_keys(prepared),  # the fact parts' columns
                   "key_in_parts": False,  # a run's parts before their key left them: never reused
                   "text_enums": True})  # nor those with Categorical text columns: one dtype per column in a run
    values = prepared.space.hardware_side[PARTITION_KEY[name]].cast(pl.String).unique().drop_nulls().sort()
    rows = {table: catalogs.table(table).filter(pl.col(column).cast(pl.String).is_in(values.implode()))
            for table, column in keyed.items()}
    by_value: dict[str, dict] = {v: {} for v in values}
    for table, column in keyed.items():
        for row in rows[table].sort(column).to_dicts():
            by_value[str(row[column])].setdefault(table, []).append(row)
    return {"code": code_version(),
            "partitions": {partition_folder(name, v): _sha({"common": common, "rows": by_value[v]})
                           for v in values}}


def reusable(inputs: dict, previous: Path | None) -> dict[str, str]:
    """The partitions of ``inputs`` whose hash equals the one ``previous`` (a run folder) recorded:
    folder -> hash. None, a run of another study or one without recorded inputs: nothing."""
    if previous is None or not (Path(previous) / "manifest.json").exists():
        return {}
    old = json.loads((Path(previous) / "manifest.json").read_text()).get("inputs", {}).get("partitions", {})
    return {folder: h for folder, h in inputs["partitions"].items() if old.get(folder) == h}


def link_partitions(previous: Path, study: str, folders: list[str], target: Path) -> list[Path]:
    """Hard-link (else copy) the Parquet parts of ``folders`` of ``previous`` into ``target``
    (a run being written); returns the files now in ``target``. A reusable partition without a
    folder wrote no row (every configuration dropped) and links nothing."""
    linked = []
    for folder in folders:
        source = Path(previous) / study_folder(study) / folder
        if not source.is_dir():
            continue
        destination = target / study_folder(study) / folder
        destination.mkdir(parents=True)
        for part in sorted(source.glob("*.parquet")):
            try:
                os.link(part, destination / part.name)
            except OSError:  # another file system, or links not supported
                shutil.copyfile(part, destination / part.name)
            linked.append(destination / part.name)
    return linked


def recorded(previous: Path) -> dict:
    """What ``previous`` wrote down about its parts: ``partitions`` (file -> rows) and ``ranges``
    (file -> rows outside a declared range, per column), so reused parts are not read again."""
    described = json.loads((Path(previous) / "manifest.json").read_text())
    return {"partitions": described.get("partitions", {}), "ranges": described.get("out_of_range_by_part", {})}


def latest_run(out: str | Path, study: str) -> Path | None:
    """The newest complete run of ``study`` under ``out`` (what ``--reuse`` reuses from)."""
    from pipeline.runs import database

    found = [r for r in database.runs(out) if database.run_study(r) == study]
    return found[-1] if found else None


def accelerator_of(folder: str) -> str | None:
    """The accelerator of a partition folder name (None: the empty partition)."""
    from urllib.parse import unquote

    value = folder.split("=", 1)[1]
    return None if value == HIVE_NULL else unquote(value)
