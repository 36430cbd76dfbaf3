"""What a run directory says about itself: its id and ``manifest.json``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import metadata

import polars as pl

from pipeline.runs.prepared import Prepared
from pipeline.spec import SweepSpec
from pipeline.units import unit_str


def version() -> str:
    try:
        return metadata.version("mlsys-pipeline")
    except metadata.PackageNotFoundError:
        return "0+unknown"


# The Parquet codec changes how the rows are stored, never a value: the run id hashes it as the codec every
# run before issue 15 recorded by default, whatever the spec asks, so the same sweep keeps its id under
# zstd (the packaged specs' codec since issue 15) or any other; the manifest records the codec used.
HASHED_COMPRESSION = "lz4"


def identity(spec: SweepSpec) -> dict:
    """What the run id hashes of a spec: its ``as_dict`` with ``output.compression`` at ``HASHED_COMPRESSION``."""
    record = spec.as_dict()
    return record | {"output": record["output"] | {"compression": HASHED_COMPRESSION}}


def run_id(prepared: Prepared, now: dt.datetime) -> str:
    """UTC timestamp and a hash of spec (``identity``), catalogs and package version: equal inputs, equal hash."""
    digest = hashlib.sha256(json.dumps(
        {"spec": identity(prepared.spec), "catalogs": prepared.catalogs.hashes, "version": version()},
        sort_keys=True).encode()).hexdigest()
    return f"{now:%Y%m%dT%H%M%SZ}-{digest[:8]}"


def manifest(prepared: Prepared, rid: str, now: dt.datetime, written: int, units: dict) -> dict:
    """Spec, catalog hashes, row and drop counts and column units (the caller adds ``wall_time_s``)."""
    return {
        "run_id": rid,
        "study": prepared.spec.study,
        "created_utc": now.isoformat(timespec="microseconds"),
        "package_version": version(),
        "polars_version": pl.__version__,
        "spec_source": prepared.spec.source,
        "spec": prepared.spec.as_dict(),
        "catalogs": {t: {"sha256": h, "rows": prepared.catalogs.table(t).height,
                         "source": str(prepared.catalogs.paths[t])}
                     for t, h in prepared.catalogs.hashes.items()},
        "rows": {prepared.spec.study: written},
        "dropped": prepared.space.dropped,
        "columns": {c: (None if u is None else unit_str(u)) for c, u in units.items()},
    }
