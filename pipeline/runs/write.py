"""Run a sweep: stream the study's lazy plan to Parquet in chunks, then describe the run.

Layout of a run directory (it appears only when complete, see ``pipeline.runs.atomic``):

    <out>/<UTC timestamp>-<content hash>/
        study=node/hardware=<accelerator>/part-00000.parquet ...
                                      results, Hive-partitioned by accelerator (``pipeline.runs.partitions``),
                                      typed and self-describing (``pipeline.runs.typed``)
        catalogs/*.parquet            the catalogs the run used
        manifest.json                 spec, catalog hashes, row and drop counts, timing
        results.duckdb                views over the Parquet files + column_dictionary
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipeline.catalogs.load import Catalogs
from pipeline.runs import incremental, narrow, partitions
from pipeline.runs.atomic import atomic_directory
from pipeline.runs.manifest import manifest, run_id
from pipeline.runs.prepared import Prepared
from pipeline.runs.typed import output_dictionary
from pipeline.runs.views import LENGTHS, lengths_view


def os_error(exc: Exception, path: Path) -> Exception:
    """The OSError inside a polars error ("... underlying IO error: File too large (os error 27)"),
    so that the CLI reports the environment, not a bug; else ``exc`` itself."""
    found = re.search(r"os error (\d+)", str(exc))
    return OSError(int(found[1]), os.strerror(int(found[1])), str(path)) if found else exc


def run(prepared: Prepared, out_dir: str | Path | None = None,
        on_chunk: Callable[[int], None] | None = None, publish: bool = False,
        reuse_from: str | Path | None = None, executor: Callable[..., dict] | None = None) -> Path:
    """Stream the sweep into a new run directory and return its path; ``publish``: then make it
    the current run of its study (``<out>/current``, see ``pipeline.runs.publish``); ``reuse_from``:
    an earlier run folder whose partitions with unchanged inputs are reused, not recomputed
    (``pipeline.runs.incremental``); ``executor``: what computes the partitions (default: this
    process, ``partitions.write_study``; ``pipeline.runs.dask_executor``: tasks on Dask)."""
    from pipeline.runs import database  # duckdb loads only when a run is written, never for evaluate

    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    out = Path(out_dir or prepared.spec.output.dir)
    out.mkdir(parents=True, exist_ok=True)
    rid = run_id(prepared, now)
    name, study = prepared.spec.study, prepared.study
    # the executor is left (its thread joined) before the folder is renamed or, on an error, removed
    with atomic_directory(out / rid) as directory, ThreadPoolExecutor(1, "mlsys-database") as background:
        tmp = directory.tmp
        written, rows_per_file, ranges_per_file = 0, {}, {}
        write_catalogs(prepared.catalogs, tmp / "catalogs")  # the database's catalog views read them
        built: list[Future] = []
        dimension_ranges: list[dict[str, int]] = []
        lengths, unseen = model_lengths(prepared)  # the database's lengths table, and its pairs the rows strike out

        def build_database() -> None:
            """The database, after the dimension tables' out-of-range counts (written before any part: counted
            on this thread, not after the last part; a column there has its rows there)."""
            dimension_ranges.extend(c for d in sorted((tmp / narrow.DIMENSIONS).glob(f"{name}-*.parquet"))
                                    for c in out_of_range_by_file([d], study.SCHEMA).values())
            database.create_database(tmp, database.run_views(tmp, name, prepared.catalogs.hashes),
                                     {"column_dictionary": output_dictionary()} | lengths)

        def on_part(files: list[Path], recorded: dict | None = None) -> None:
            """Count the rows of ``files`` (the footers: exact, nothing decoded) and those outside a
            declared range; ``recorded``: the counts the run they were reused from wrote down."""
            nonlocal written
            if not files:
                return
            names = {f: str(Path(f).relative_to(tmp)) for f in files}
            if recorded is None or any(names[f] not in recorded["partitions"] for f in files):
                counts = {names[f]: pq.ParquetFile(f).metadata.num_rows for f in files}
                ranges = {names[Path(f)]: n for f, n in out_of_range_by_file(files, study.SCHEMA).items()}
            else:
                counts = {names[f]: recorded["partitions"][names[f]] for f in files}
                ranges = {names[f]: recorded["ranges"][names[f]] for f in files if names[f] in recorded["ranges"]}
            rows_per_file.update(counts)
            ranges_per_file.update(ranges)
            rows = sum(counts.values())
            written += rows
            if on_chunk:
                on_chunk(rows)

        def on_written(files: list[Path], recorded: dict | None = None) -> None:
            """``on_part`` of this process's writer, which writes the dimension tables first and each part under
            another name until it is complete: once one part is written, the database (its views need that
            part's schema) is built on a thread while the others are computed and written."""
            on_part(files, recorded)
            if files and not built:
                built.append(background.submit(build_database))

        previous = database.resolve_run(reuse_from, out) if reuse_from else None
        # the partitions' input hashes: for the manifest only, unless partitions may be reused (then needed first)
        hashed = background.submit(incremental.partition_inputs, prepared) if previous is None else None
        inputs = incremental.partition_inputs(prepared) if hashed is None else {}
        reused = incremental.reusable(inputs, previous)
        if reused:
            on_part(incremental.link_partitions(previous, name, sorted(reused), tmp), incremental.recorded(previous))
        skip = frozenset(v for v in map(incremental.accelerator_of, reused) if v is not None)
        try:
            units = executor(prepared, tmp, rid, on_part, skip) if executor else partitions.write_study(
                prepared, tmp, rid, on_written, skip, unseen=unseen)
        except pl.exceptions.ComputeError as exc:  # polars reports a failed write as text
            raise os_error(exc, tmp / partitions.study_folder(name)) from None
        if built:
            built[0].result()
        else:  # no part written by this process's writer (another executor; every part reused or every row dropped)
            build_database()
        if unseen is not None and unseen.pairs:  # a pair of the model side no row written here holds (or reused)
            database.exact_lengths(tmp, name)
        out_of_range: dict[str, int] = {}
        for counts in [*ranges_per_file.values(), *dimension_ranges]:
            for column, n in counts.items():
                out_of_range[column] = out_of_range.get(column, 0) + n
        described = manifest(prepared, rid, now, written, units) | {"out_of_range": out_of_range}
        described["inputs"] = inputs if hashed is None else hashed.result()
        described["reused"] = {"from": previous.name if reused else None, "partitions": sorted(reused),
                               "recomputed": sorted(set(described["inputs"]["partitions"]) - set(reused))}
        described["partitions"] = dict(sorted(rows_per_file.items()))
        described["out_of_range_by_part"] = dict(sorted(ranges_per_file.items()))
        described["wall_time_s"] = round(time.perf_counter() - started, 3)
        (tmp / "manifest.json").write_text(json.dumps(described, indent=2) + "\n")
    if directory.final.name != rid:  # a run of the same spec in the same second took the name first
        from pipeline.catalogs.io import replace_atomically

        described["run_id"] = directory.final.name
        text = json.dumps(described, indent=2) + "\n"
        replace_atomically(lambda path: Path(path).write_text(text), directory.final / "manifest.json")
    if publish:
        from pipeline.runs.publish import publish as publish_run

        publish_run(directory.final, out)
    return directory.final


def model_lengths(prepared: Prepared) -> tuple[dict[str, pl.DataFrame], partitions.Unseen | None]:
    """The lengths table of the run's database (``views.lengths_view``: the distinct pairs of the study's
    ``views.LENGTHS``) as its model side holds them, and those pairs for the writer to strike out
    (``partitions.Unseen``). A row's pair is its model-side row's, so the rows' pairs are these unless one is held by
    no row (every row of its model-side rows dropped) or some rows were not written here (reused, another executor);
    then the table is replaced by the pairs of every row (``database.exact_lengths``). fits reads the longest context
    there, not from a scan of every row (the serving bench: 0.05 of its ~0.2 CPU s; r-srvfix). Empty for a study
    without lengths."""
    name, side = prepared.spec.study, prepared.space.model_side
    columns = LENGTHS.get(name, ())
    if not columns or not set(columns) <= set(side.columns):
        return {}, None
    pairs = side.select(pl.col(c).cast(pl.Int64) for c in columns).unique().sort(columns, nulls_last=True)
    return {lengths_view(name): pairs}, partitions.Unseen(columns, set(pairs.rows()))


def out_of_range_by_file(files: list[Path], schema) -> dict[Path, dict[str, int]]:
    """``out_of_range_counts`` of each of ``files`` in one scan (files with none left out)."""
    checks = partitions.range_checks(schema, pl.read_parquet_schema(files[0]) if files else {})
    if not checks:
        return {}
    scan = pl.scan_parquet(files, hive_partitioning=False, include_file_paths="_file")
    per_file = scan.group_by("_file").agg(checks).collect()
    return {Path(row.pop("_file")): {c: n for c, n in row.items() if n}
            for row in per_file.to_dicts() if any(n for c, n in row.items() if c != "_file")}


def out_of_range_counts(part: Path | list[Path], schema) -> dict[str, int]:
    """Rows of a written part whose value leaves the range its output schema declares (MFU above
    1, a negative time ...), per column; columns that may leave it by design declare no range.
    A non-zero count is a fault of a formula or a catalog row: the run keeps it and says so."""
    files = part if isinstance(part, list) else [part]
    total: dict[str, int] = {}
    for counts in out_of_range_by_file(files, schema).values():
        for column, n in counts.items():
            total[column] = total.get(column, 0) + n
    return total


def write_catalogs(catalogs: Catalogs, directory: Path) -> None:
    """Byte-identical copies of the catalog files the run read."""
    directory.mkdir()
    for table, source in catalogs.paths.items():
        shutil.copyfile(source, directory / f"{table}.parquet")
