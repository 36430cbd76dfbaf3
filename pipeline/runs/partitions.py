"""The results of a run as Hive partitions, by study and accelerator (issue 15 item 2):

    study=<study>/<key>=<accelerator>/part-00000.parquet ...

``<key>`` is the study's accelerator column (``hardware`` for node and serving, ``accelerator`` for
training) and ``<accelerator>`` its exact value percent-encoded (``urllib.parse.quote``, no safe
characters: ``H100 SXM5 80GB`` -> ``H100%20SXM5%2080GB``), which DuckDB, polars and Spark decode
back to the value, so a Hive-aware reader filtering one accelerator opens that folder only. A
run that writes no row keeps its schema in ``<key>=__HIVE_DEFAULT_PARTITION__/part-00000.parquet``.

The parts do not hold ``<key>``: its value is the folder's, as in the standard Hive layout, and every reader
takes it from the path (DuckDB's ``read_parquet(..., hive_partitioning = true)``, ``scan_parts``). A run
written before (its parts hold ``<key>`` too) reads as written.

Deterministic: the hardware side is ordered by accelerator name before it is cut into chunks, every
chunk is written in the plan's order (its joins keep order), and an accelerator's parts are numbered
in the order of the chunks, so two runs of identical inputs write identical files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from urllib.parse import quote

import polars as pl

from pipeline.runs import narrow, sizing, streamed
from pipeline.runs.prepared import Prepared
from pipeline.runs.typed import (PARTITION_KEY, arrow_schema, as_categorical, as_enums, text_codes, text_enums,
                                 typed)
from pipeline.spec import COMPRESSION_LEVELS
from pipeline.studies import per_key, schema_columns
from pipeline.studies.sides import Space

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
# rows per Parquet row group (polars' documented default, 512**2), set so that a part's row groups do not depend on
# the chunks of the frame written (polars' streaming sink otherwise cuts a frame of several chunks at its chunks, and
# halves a 175,584-row chunk of training's)
ROW_GROUP_ROWS = 512 * 512


def study_folder(study: str) -> str:
    return f"study={study}"


def study_glob(study: str) -> str:
    """The Parquet files of a study, relative to the run folder."""
    return f"{study_folder(study)}/*/*.parquet"


def partition_folder(study: str, value: str | None) -> str:
    return f"{PARTITION_KEY[study]}={HIVE_NULL if value is None else quote(value, safe='')}"


@dataclass
class Unseen:
    """The pairs of ``columns`` (a study's ``views.LENGTHS``) on its model side that no written row holds yet:
    ``write_parts`` strikes out those of each chunk it writes while any is left (the serving bench: all 12 in its
    first chunk), so that a run knows whether its model side's pairs are its rows' (``runs.write``)."""
    columns: tuple[str, ...]
    pairs: set

    def strike(self, rows: pl.DataFrame) -> None:
        if self.pairs and all(c in rows.columns for c in self.columns):
            self.pairs.difference_update(rows.select(self.columns).unique().rows())


def write_study(prepared: Prepared, run_dir: Path, rid: str, on_part: Callable[[list[Path], dict], None],
                skip: frozenset[str] = frozenset(), model_keys: list[str] | None = None,
                dimension_tables: bool = True, planned_rows: bool = True, unseen: Unseen | None = None) -> dict:
    """Write the sweep of ``prepared`` into ``run_dir/study=<study>/...``, chunk by chunk (each chunk's
    plan joins the sides with each accelerator's rows together, ``sides.Space.grouped_by``, so its
    parts are slices of the collected chunk: no Parquet sink splits every column by key); after
    each chunk ``on_part`` gets the files it wrote (none when every row was dropped) and their
    rows and out-of-range counts ({"partitions": {path: rows}, "ranges": {path: {column: rows}}},
    paths relative to ``run_dir``). ``skip``: the
    accelerators not to compute (their partitions were reused, ``pipeline.runs.incremental``); ``model_keys``: the
    model-side key axes the fact table holds (``narrow.layout``; a Dask task's, its driver's); ``dimension_tables``:
    False in a Dask task, whose driver writes them (``dask_executor.write_study``); ``planned_rows``: False in that
    driver, which computes no row (every partition in ``skip``): its plan (units, dtypes) is built on no row of the
    model side either and no piece is planned, so none of its per-key tables is built.
    ``unseen``: the pairs the written rows strike out (``Unseen``).
    Returns the output columns' units (the study's plan)."""
    name, study = prepared.spec.study, prepared.study
    stream = planned_rows and sizing.streamed(prepared.space, name)
    key = PARTITION_KEY[name]
    # the text columns of fixed categories as Enums on the sides: the plan gathers them into the rows as Enums
    enums = text_enums(prepared.catalogs, name)
    texts = text_codes([prepared.space.hardware_side, prepared.space.model_side], prepared.spec.axes.region or ())
    # the dimension tables are written on the writer thread from the start, while the first block's plan builds its
    # per-key tables (their layout needs no plan: ``narrow.layout`` without dtypes), but for a large model side
    # (``sizing.overlap_dimensions``: complete before the first plan); chunk k's parts while chunk k+1 is computed
    # (polars releases the GIL in both); at most one chunk waits to be written, so memory holds two chunks at most
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsys-parquet") as writer:
        dimensions = writer.submit(write_dimensions, prepared, texts, run_dir, model_keys, dimension_tables)
        if not sizing.overlap_dimensions(prepared.space):
            dimensions.result()
        # a large model side in blocks, each its own space and plan (``sizing.model_blocks``)
        blocks = list(sizing.model_blocks(prepared.space, name, planned_rows and sizing.blocked(prepared.space, name)))
        spaces = (block_space(prepared, block, stream, enums) for block in blocks)
        space = next(spaces)
        base = run_dir / study_folder(name)
        base.mkdir(exist_ok=True)
        side = sorted_side(space, key, skip)
        declared = schema_columns(study.SCHEMA)
        # the plan of the units and dtypes, on the first block (its per-key tables built here are the ones its first
        # chunk's plan gathers: cached), else on no model row; not held: it would hold the first block's tables
        # through the run (the 30 M-row bench peaked at 1,744 MB, 1,478 without them). On no model row where there are
        # blocks, it had cost the 10 M-row bench a plan of its own, 0.15 CPU s on one core before the first block's
        # (r-srvspd4).
        planned = space if planned_rows else replace(space, model_side=space.model_side.head(0))
        plan = study.build(planned, side.head(0))
        dtypes = plan.frame.collect_schema()  # every chunk's plan's too (the same expressions on other rows): once
        shape = narrow.layout(prepared, dtypes, model_keys)
        empty = typed(plan.frame, name, rid, texts, shape, enums, dtypes).drop(key)  # the key: the folder, not a column
        units, empty = plan.units, pl.LazyFrame(schema=empty.collect_schema())  # no table held
        del plan
        schema = arrow_schema(empty, {c: d["unit"] for c, d in declared.items()},
                              {c: d["description"] for c, d in declared.items()})
        parts: dict[str | None, int] = {}
        options = parquet_options(schema, prepared.spec.output.compression)
        # a part of one row group with the study's own statistics, if it declares them (node: no min/max)
        single = options | {"statistics": study.PARQUET_STATISTICS} if hasattr(study, "PARQUET_STATISTICS") else None
        pending: Future | None = None
        # each accelerator's rows together (``grouped_by``): a part is a slice
        computed = (rows for block in chain([space], spaces) for rows in piece_rows(
            study, name, replace(block, grouped_by=key), sizing.pieces(
                block, name, hardware_side=sorted_side(block, key, skip), key=key, cut=stream),
            lambda frame: typed(frame, name, rid, texts, shape, enums, dtypes), stream)) if planned_rows else ()
        for rows in computed:
            targets = []
            for start, length in sizing.runs_of(rows.get_column(key)):
                value = rows.get_column(key).slice(start, 1).cast(pl.String).item(0)
                n = parts.get(value, 0)
                parts[value] = n + 1
                targets.append((start, length, f"{partition_folder(name, value)}/part-{n:05d}.parquet"))
            if pending is not None:
                on_part(*pending.result())
            dimensions.result()  # written (or its error raised) before a part is
            pending = writer.submit(write_parts, rows.drop(key), targets, base, study_folder(name), study.SCHEMA,
                                    options, single, unseen)
        if pending is not None:
            on_part(*pending.result())
        dimensions.result()
    if not parts and not any(base.iterdir()):  # everything dropped: an empty part keeps the schema queryable
        folder = base / partition_folder(name, None)
        folder.mkdir()
        empty.sink_parquet(folder / "part-00000.parquet", **options)
    return units


def write_dimensions(prepared: Prepared, texts: dict[str, int], run_dir: Path, model_keys: list[str] | None,
                     written: bool = True) -> None:
    """``narrow.write_dimensions`` of ``prepared``'s run (``written``: False in a Dask task, whose driver writes them)
    on the layout it needs, known before any plan (``narrow.layout`` without dtypes), with the parts' codec, level,
    statistics and row groups (each table its own schema)."""
    if written:
        narrow.write_dimensions(prepared, narrow.layout(prepared, None, model_keys), texts, run_dir,
                                parquet_options(None, prepared.spec.output.compression))


def block_space(prepared: Prepared, model_side: pl.DataFrame, stream: bool, enums: dict) -> Space:
    """The space of ``prepared`` on ``model_side`` (its model side or a block of it) a sweep's plan is built on: for a
    ``stream``ed sweep, the sides its pieces need (the study's ``streamed_space``); the text columns of ``enums`` as
    those Enums."""
    name, whole = prepared.spec.study, prepared.space.hardware_side
    space, block = replace(prepared.space, model_side=model_side), model_side is not prepared.space.model_side
    if stream and hasattr(prepared.study, "streamed_space"):
        if block:  # the block before's cached classes and tables go first (each entry is kept until asked again)
            per_key.forget()
        space = prepared.study.streamed_space(space)
        hardware = as_enums(space.hardware_side, enums, f"{name} hardware side")
    else:  # the hardware side as Enums once a run, so that what it gives (classes, groups) is cached once a run
        hardware = per_key.cached(("hardware side as enums", name, tuple(enums.items())), (whole,),
                                  lambda: as_enums(whole, enums, f"{name} hardware side"))
        if block:  # the block before's model-side tables go; what the hardware side gives stays
            per_key.forget((whole, hardware))
    return replace(space, hardware_side=hardware, model_side=as_enums(space.model_side, enums, f"{name} model side"))


def sorted_side(space: Space, key: str, skip: frozenset[str]) -> pl.DataFrame:
    """The hardware side of ``space`` a sweep computes: without the accelerators ``skip``s, sorted by ``key``."""
    return space.hardware_side.filter(~pl.col(key).cast(pl.String).is_in(sorted(skip))).sort(
        pl.col(key).cast(pl.String), maintain_order=True, nulls_last=True)


def parquet_options(schema, compression: str) -> dict:
    """polars' Parquet options of a run's parts: ``schema`` (units in the field metadata), the spec's codec at its
    ``COMPRESSION_LEVELS`` level (else polars' default), min/max and null-count statistics on every column (the
    key axes' min/max let DuckDB and polars skip the row groups a filter on them excludes), row groups of
    ``ROW_GROUP_ROWS``."""
    return {"arrow_schema": schema, "compression": compression,
            "compression_level": COMPRESSION_LEVELS.get(compression), "statistics": True,
            "row_group_size": ROW_GROUP_ROWS}


def piece_rows(study, name: str, space, pieces, finish, stream: bool | None = None) -> Iterator[pl.DataFrame]:
    """The rows ``finish(plan)`` gives, ``plan`` the study's, on each (hardware slice, model slice) of ``pieces``,
    in order: for a study cut into pieces (``stream``, None: ``sizing.streamed``), one plan streamed over them all
    (``streamed.piece_rows``: the plan's fixed cost paid once, not per piece), else a plan collected per piece."""
    if sizing.streamed(space, name) if stream is None else stream:
        yield from streamed.piece_rows(space, pieces, lambda whole: finish(
            study.build(whole, space.hardware_side.head(0)).frame), collect_flags(study),
            sizing.SOURCE_ROWS.get(name))
        return
    for hw_slice, model_slice in pieces:
        piece = space if model_slice is space.model_side else replace(space, model_side=model_slice)
        yield finish(study.build(piece, hw_slice).frame).collect(optimizations=collect_flags(study))


def collect_flags(study) -> pl.QueryOptFlags:
    """The polars optimizations a study's plan is collected with: its ``OPTIMIZATIONS`` when it
    declares them (node: measured faster without common-subexpression elimination), else polars' own."""
    return getattr(study, "OPTIMIZATIONS", None) or pl.QueryOptFlags()


def write_parts(rows: pl.DataFrame, targets: list[tuple[int, int, str]], base: Path, folder: str, schema,
                options: dict, single: dict | None = None, unseen: Unseen | None = None
                ) -> tuple[list[Path], dict[str, dict]]:
    """Write each (start, length, path relative to ``base``) slice of ``rows`` as one Parquet part and
    count its rows outside a declared range (``range_checks``, on the slice in memory: nothing is read
    back); returns the files written and {"partitions": {path: rows}, "ranges": {path: {column: rows}}},
    paths relative to the run folder (``folder``: the study's folder in it), as ``write_study``'s
    ``on_part`` takes them; ``single``: the options of a part of one row group (default ``options``); ``unseen``:
    the pairs ``rows`` strike out (``Unseen``)."""
    recorded: dict[str, dict] = {"partitions": {}, "ranges": {}}
    written = []
    if unseen is not None:
        unseen.strike(rows)
    checks = range_checks(schema, rows.schema)
    if checks and len(targets) > 1:  # the whole chunk counted once, the slices only on its columns with a row outside
        whole = rows.select(checks).row(0, named=True)  # (none, mostly: the node bench's 61 slices 0.014 -> 0.008
        checks = [e for e, n in zip(checks, whole.values(), strict=True) if n]  # CPU s, serving's 55 0.06 -> 0.04)
    for start, length, relative in targets:
        part = rows.slice(start, length)
        (base / relative).parent.mkdir(exist_ok=True)
        partial = base / f"{relative}.partial"  # renamed once complete: the database is built while parts are written
        part.write_parquet(partial, **(single if single and length <= ROW_GROUP_ROWS else options))
        partial.replace(base / relative)
        written.append(base / relative)
        recorded["partitions"][f"{folder}/{relative}"] = length
        counts = part.select(checks).row(0, named=True) if checks else {}
        if out := {c: k for c, k in counts.items() if k}:
            recorded["ranges"][f"{folder}/{relative}"] = out
    return sorted(written), recorded


def range_checks(schema, dtypes) -> list[pl.Expr]:
    """Per declared range of ``schema`` (a column of ``dtypes``, column -> polars dtype): the rows outside it (MFU
    above 1, a negative time ...); NaN counts as above a bound, NULL as inside (polars' comparisons). An integer
    column is compared with its bounds as integers (``v < lo`` is ``v < ceil(lo)``, ``v > hi`` is ``v > floor(hi)``):
    the same counts without casting the column to Float64 (training's bench parts: 0.13 -> 0.08 CPU s)."""
    ranges = {c: d["within"] for c, d in schema_columns(schema).items() if d["within"] is not None and c in dtypes}
    checks = []
    for c, (lo, hi) in ranges.items():
        if dtypes[c].is_integer():
            lo, hi = integral_bound(lo, math.ceil), integral_bound(hi, math.floor)
        checks.append(((pl.col(c) < lo) | ((pl.col(c) > hi) if hi is not None else pl.lit(False))).sum().alias(c))
    return checks


def integral_bound(bound: float | None, rounded) -> float | int | None:
    """A finite ``bound`` rounded to an integer (``math.ceil`` for a lower bound, ``math.floor`` for an upper);
    None and an infinite bound as they are."""
    return bound if bound is None or math.isinf(bound) else int(rounded(bound))


def part_files(run_dir: Path, study: str) -> list[Path]:
    """The Parquet files of a run's study, in partition and part order."""
    return sorted((Path(run_dir) / study_folder(study)).glob("*/*.parquet"))


def scan_parts(run_dir: Path | str, study: str) -> pl.LazyFrame:
    """The rows of a run's parts with the partition key: from each part's folder (its dtype the column
    dictionary's, Categorical), after the parts' columns; a run written before, whose
    parts hold the key, as written. The study folder is scanned, not a list of files: polars then reads Hive
    values below that folder only, while a list's every ``name=value`` folder, the run's parents' too, would be
    read as one. Text columns written as Enums (``typed.text_enums``) read as the dictionary's Categorical (the
    serving bench's 3.2 M rows, 8 Enum columns: 0.11-0.13 CPU s)."""
    key = PARTITION_KEY[study]
    files = part_files(Path(run_dir), study)
    if not files or key in pl.read_parquet_schema(files[0]):
        frame = pl.scan_parquet(files, hive_partitioning=False)
    else:
        frame = pl.scan_parquet(f"{Path(run_dir) / study_folder(study)}/", hive_partitioning=True,
                                hive_schema={key: pl.Categorical})
    enums = {c: d for c, d in frame.collect_schema().items() if isinstance(d, pl.Enum)}
    return frame.with_columns(as_categorical(c, d) for c, d in enums.items()) if enums else frame
