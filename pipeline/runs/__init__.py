"""Run a sweep: stream the study's lazy plan to Parquet in chunks, then describe the run.

Layout of a run directory (it appears only when complete: it is written under a
hidden temporary name and renamed at the end):

    <out>/<UTC timestamp>-<content hash>/
        node/part-00000.parquet ...   results, one file per chunk of the hardware side
        catalogs/*.parquet            the catalogs the run used
        manifest.json                 spec, catalog hashes, row and drop counts, timing
        results.duckdb                views over the Parquet files + column_dictionary
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipeline.runs import database
from pipeline.runs.atomic import atomic_directory
from pipeline.catalogs.load import Catalogs, load_catalogs
from pipeline.studies.columns import column_dictionary
from pipeline.studies.sides import Space
from pipeline.spec import SweepSpec
from pipeline.studies import node, serving, training
from pipeline.units import unit_str

STUDIES = {"node": node, "serving": serving, "training": training}  # each: build_space, build, SCHEMA, OUTPUTS
CHUNK_ROWS = 1_000_000  # rows per Parquet part: bounds memory, paces the progress bar
BYTES_PER_ROW_ESTIMATE = 50  # lz4-compressed node rows, measured with `mlsys bench` (494 MB for 10M rows)
ROWS_PER_S_ESTIMATE = 2_500_000  # measured 2.8M rows/s with `mlsys bench` on 2 cores


def version() -> str:
    try:
        return metadata.version("mlsys-pipeline")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Prepared:
    spec: SweepSpec
    catalogs: Catalogs
    space: Space

    @property
    def rows(self) -> int:
        return self.space.rows

    @property
    def study(self):
        return STUDIES[self.spec.study]


def prepare(spec: SweepSpec, registry: str | Path | None = None) -> Prepared:
    """Load catalogs and build the (lazy) configuration space; checks every name in the spec."""
    catalogs = load_catalogs(registry)
    if spec.overrides:  # what-if: every row of the overridden columns
        from pipeline.catalogs import overrides

        catalogs = overrides.apply(catalogs, spec.overrides)
    return Prepared(spec, catalogs, STUDIES[spec.study].build_space(catalogs, spec))


def collect(prepared: Prepared) -> pl.DataFrame:
    """The whole result in memory (for the Python API and small sweeps)."""
    return prepared.study.build(prepared.space).frame.collect()


def chunks(space: Space, target_rows: int | None = None) -> Iterator[tuple[pl.DataFrame, int]]:
    """Slices of the hardware side whose joins hold about ``target_rows`` (CHUNK_ROWS) rows each."""
    target_rows = target_rows or CHUNK_ROWS
    per_workload = space.model_side.group_by("workload").len().rename({"len": "_rows"})
    hw = space.hardware_side.join(per_workload, on="workload", how="left", maintain_order="left").with_columns(
        pl.col("_rows").fill_null(0))
    start, acc = 0, 0
    sizes = hw["_rows"].to_list()
    for i, n in enumerate(sizes):
        acc += n
        if acc >= target_rows or i == len(sizes) - 1:
            yield space.hardware_side.slice(start, i + 1 - start), acc
            start, acc = i + 1, 0


def run_id(prepared: Prepared, now: dt.datetime) -> str:
    digest = hashlib.sha256(json.dumps(
        {"spec": prepared.spec.as_dict(), "catalogs": prepared.catalogs.hashes, "version": version()},
        sort_keys=True).encode()).hexdigest()
    return f"{now:%Y%m%dT%H%M%SZ}-{digest[:8]}"


def estimate(prepared: Prepared) -> dict:
    rows = prepared.rows
    return {"rows": rows, "dropped": prepared.space.dropped,
            "estimated_seconds": round(rows / ROWS_PER_S_ESTIMATE + 1.0, 1),
            "estimated_bytes": rows * BYTES_PER_ROW_ESTIMATE}


def run(prepared: Prepared, out_dir: str | Path | None = None,
        on_chunk: Callable[[int], None] | None = None) -> Path:
    """Stream the sweep into a new run directory and return its path."""
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    out = Path(out_dir or prepared.spec.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rid = run_id(prepared, now)
    name, study = prepared.spec.study, prepared.study
    with atomic_directory(out / rid) as directory:
        tmp = directory.tmp
        (tmp / name).mkdir()
        written = 0
        for i, (hw_slice, _estimate) in enumerate(chunks(prepared.space)):
            part = tmp / name / f"part-{i:05d}.parquet"
            study.build(prepared.space, hw_slice).frame.sink_parquet(
                part, compression=prepared.spec.compression, statistics=True)
            rows = pq.ParquetFile(part).metadata.num_rows  # exact, after any cross-side filter
            written += rows
            if on_chunk:
                on_chunk(rows)
        if written == 0:  # everything dropped: an empty part keeps the schema queryable
            study.build(prepared.space, prepared.space.hardware_side.head(0)).frame.sink_parquet(
                tmp / name / "part-00000.parquet")
        _write_catalogs(prepared.catalogs, tmp / "catalogs")
        units = study.build(prepared.space, prepared.space.hardware_side.head(0)).units
        manifest = {
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
            "rows": {name: written},
            "dropped": prepared.space.dropped,
            "columns": {c: (None if u is None else unit_str(u)) for c, u in units.items()},
        }
        views = {name: f"{name}/*.parquet"} | {t: f"catalogs/{t}.parquet" for t in prepared.catalogs.hashes}
        database.create_database(tmp, views, {"column_dictionary": column_dictionary()})
        manifest["wall_time_s"] = round(time.perf_counter() - started, 3)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return directory.final


def _write_catalogs(catalogs: Catalogs, directory: Path) -> None:
    directory.mkdir()
    for table, source in catalogs.paths.items():
        shutil.copyfile(source, directory / f"{table}.parquet")


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; a no-op otherwise."""
    if not enabled:
        yield lambda _n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("sweeping rows", total=total)
        yield lambda n: bar.advance(task, n)
