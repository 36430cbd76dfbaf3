"""How a sweep is cut into Parquet parts, and what it will cost before it runs (``--dry-run``)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pipeline.errors import Problem

from pipeline.runs.prepared import Prepared
from pipeline.studies.grouped import joined_rows
from pipeline.studies.sides import Space

CHUNK_ROWS = 1_000_000  # rows per chunk (one Parquet part per accelerator it holds): bounds memory, paces the bar
# Rows a chunk may hold at most, per study (``pieces``). A collected training chunk takes ~1 kB/row
# above the space (67 narrow columns, 310 B/row, and the plan's Float64 intermediates), and one
# cluster's join is the whole model side (987,690 rows in the 30 M-row bench): chunks of two clusters
# (1,975,380 rows) took `python -m tests.runs.bench_run training 30000000 zstd` to 2,245 MB peak RSS,
# slices of 493,845 rows to 1,415 MB; 350 k makes 3 slices of 329,230 rows. Serving's chunks of one accelerator
# (3 hardware rows x 475,104 model rows in `bench_run serving 30000000`) took 1,910-2,049 MB collected whole; pieces
# of 250 k streamed, fed SOURCE_ROWS at a time, 1,314-1,406 MB.
MAX_CHUNK_ROWS = {"training": 350_000, "serving": 250_000}
# Joined rows the streamed plan (``streamed.piece_rows``) is fed at a time, where not ``streamed.SOURCE_ROWS``. A
# serving batch widens from ~100 to ~300 columns along its plan and several are in flight: the 30 M-row serving sweep
# peaked at 2,104 MB fed 65,536 rows (pieces of 500 k), 1,503 MB fed 16,384.
SOURCE_ROWS = {"serving": 16_384}
# Serving is cut into pieces only above this many model-side rows (a test's setting: none by default): a chunk
# collected whole is faster (the 3 M-row bench, 50,904 model rows: 5.7 against 6.6 CPU s end to end, idle), and a
# larger model side is swept in blocks (``BLOCKED_ABOVE_MODEL_ROWS``) whose chunks are collected whole.
STREAMED_ABOVE_MODEL_ROWS = {"serving": sys.maxsize}
# A model side above this many rows is swept in blocks (``model_blocks``), each its own space and plan: a chunk
# collected whole from the whole side peaks ~6 kB a model row higher (158,368 rows, the 10 M-row bench: 1,545 MB).
# Serving's blocks were streamed (``streamed``) until r-srvspd4; collected chunk by chunk instead (as below 100 k:
# ``serving.build`` plans a run of identical hardware rows once, which a streamed source's rows are not told apart
# for), the 10 M-row bench (2 blocks) took 10.2-12.8 against 13.0-14.9 CPU s end to end at about the same peak, and
# `bench_run serving 30000000 zstd` (10 blocks) 32.7-34.2 against 38.3-39.3 CPU s, peak RSS 1,401-1,437 against
# 1,307-1,367 MB (load 8-10).
BLOCKED_ABOVE_MODEL_ROWS = {"serving": 100_000}
# A blocked serving sweep is swept a block of at most this many model-side rows at a time, each block its own space
# and plan (streamed: ``serving.streamed_space``). Measured streamed: a group of columns ``per_key`` computes once per
# pair of classes (hardware x model) is computed per row where its table would exceed ``per_key.MAX_TABLE_ROWS``, and
# the model classes grow with the model side: on the whole side of the 30 M-row bench (475 k rows) 9 of 12 groups were
# (82 x 140,784 pairs at most), the source fed 198 columns, not 58, and the sweep took 60-64 CPU s. In blocks
# (`bench_run serving 30000000 zstd`, load 9-11): 100 k rows 38.4 CPU s, 2,046 MB peak (a block's tables beside the
# block before's); 50 k 37.6-49.8 CPU s, 1,713-1,744 MB, and 1,406 MB once a block's cached tables go before the
# next's are built; 25 k 1,347 MB but 18.6 B/row (each block a part an accelerator) against 18.4.
MODEL_BLOCK_ROWS = {"serving": 50_000}
# A model side two blocks of at most this many rows hold is cut into two: each block's plan builds its per-key tables
# again, on about one core (r-srvspd3, load 6-9): the 10 M-row bench's 158,368 model rows in 2 blocks, not 4, 14.34 ->
# 12.20 CPU s end to end, the sweep alone 894 -> 1,001 MB peak. Not larger sides: blocks of 80 k took the 30 M-row
# bench (`bench_run serving 30000000 zstd`, 6 blocks, not 10) 37.7-40.7 -> 33.8-37.9 CPU s but 1,278-1,345 ->
# 1,378-1,451 MB peak, too near 1.5 GB.
TWO_BLOCK_ROWS = {"serving": 80_000}
# A run's dimension tables are built on the writer thread while the first chunk computes, except from a model side
# this large: there the dimension table's transient copies stack on the first pieces' (training's 30 M-row bench,
# 987,690 model rows: peak RSS 1,448-1,503 MB overlapped, 1,341 MB built first; its 3 M-row bench, 187,350 rows,
# keeps the overlap). Serving's 30 M-row bench (469,448 model rows, 10 blocks collected chunk by chunk) peaked at
# 1,335-1,448 MB overlapped, 1,345-1,407 built first (r-srvspd4's `rss_phases.py`; the lead's `bench_run serving
# 30000000 zstd`, alternated, load 2-7); its 10 M-row bench (158,368) keeps the overlap.
OVERLAP_DIMENSIONS_MAX_MODEL_ROWS = 400_000
# Per study: bytes per row on disk and rows per second end to end on 2 cores, measured with
# `mlsys bench` (10M node rows: 674 MB at 1.49-1.57 M rows/s; 3M serving: 267 MB at 1.03-1.08 M;
# 4.2M training: 122 MB at 1.14-1.20 M) and the packaged specs (`mlsys sweep --spec S`, 2026-12-03:
# node 46 B, serving 103 B, training 66 B per row): the middle of each, so that either is within 2x.
BYTES_PER_ROW = {"node": 55, "serving": 95, "training": 45}
ROWS_PER_S = {"node": 1_400_000, "serving": 1_000_000, "training": 1_100_000}
STARTUP_S = 1.0  # catalogs, plan and database, measured on the packaged specs (1.0-1.7 s in all)
def default_max_rows() -> int:
    """Rows a sweep may write without ``--force``: about ten minutes of sweeping on this machine
    (0.7 M rows/s per core, half the measured 2-core node rate)."""
    return (os.cpu_count() or 1) * 700_000 * 600


def streamed(space: Space, study: str) -> bool:
    """Whether ``study``'s sweep of ``space`` is cut into pieces of MAX_CHUNK_ROWS streamed by one plan."""
    return study in MAX_CHUNK_ROWS and space.model_side.height > STREAMED_ABOVE_MODEL_ROWS.get(study, -1)


def blocked(space: Space, study: str) -> bool:
    """Whether ``study``'s sweep of ``space`` is swept a block of its model side at a time (``model_blocks``): a
    ``streamed`` sweep, or one whose model side holds more than ``BLOCKED_ABOVE_MODEL_ROWS`` rows."""
    return streamed(space, study) or space.model_side.height > BLOCKED_ABOVE_MODEL_ROWS.get(study, sys.maxsize)


def model_blocks(space: Space, study: str, cut: bool) -> Iterator[pl.DataFrame]:
    """The model side of ``space`` in consecutive slices of at most ``MODEL_BLOCK_ROWS`` rows (two where two of at
    most ``TWO_BLOCK_ROWS`` hold it), as even as can be, where ``cut`` (a ``blocked`` sweep), else whole."""
    model, limit = space.model_side, MODEL_BLOCK_ROWS.get(study) if cut else None
    if limit and model.height <= 2 * TWO_BLOCK_ROWS.get(study, 0):
        limit = max(limit, -(-model.height // 2))
    if not limit or model.height <= limit:
        yield model
        return
    size = -(-model.height // -(-model.height // limit))
    yield from (model.slice(start, size) for start in range(0, model.height, size))


def overlap_dimensions(space: Space) -> bool:
    """Whether a sweep of ``space`` builds its dimension tables while its first chunk computes."""
    return space.model_side.height <= OVERLAP_DIMENSIONS_MAX_MODEL_ROWS


def chunks(space: Space, target_rows: int | None = None,
           hardware_side: pl.DataFrame | None = None) -> Iterator[tuple[pl.DataFrame, int]]:
    """Slices of the hardware side (or of ``hardware_side``, the same rows reordered) whose joins
    hold about ``target_rows`` (CHUNK_ROWS) rows each."""
    target_rows = target_rows or CHUNK_ROWS
    side = space.hardware_side if hardware_side is None else hardware_side
    start, acc = 0, 0
    sizes = joined_rows(side, space.model_side).to_list()
    for i, n in enumerate(sizes):
        acc += n
        if acc >= target_rows or i == len(sizes) - 1:
            yield side.slice(start, i + 1 - start), acc
            start, acc = i + 1, 0


def pieces(space: Space, study: str, hardware_side: pl.DataFrame | None = None, key: str | None = None,
           cut: bool | None = None) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """(hardware slice, model slice) pairs to compute and write in turn: ``chunks`` with the whole
    model side, or for a study ``streamed`` in pieces of MAX_CHUNK_ROWS consecutive units joining at most that many rows
    (CHUNK_ROWS if fewer), a unit that joins more alone, its model side cut into consecutive slices.
    A unit is a run of consecutive hardware rows with one value of ``key`` (the partition key; the
    writer sorts the side by it), else one hardware row. An accelerator's rows are model-side major
    (``grouped.grouped_join``), so its parts, read in order, hold its rows in the order of the uncut
    join, and neighbouring rows differ by one hardware row (a cluster), which compresses: one cluster
    a piece had taken the 6.7 M-row training bench (`mlsys bench --study training --rows 3000000`)
    from 14.2 to 22.0 B/row. ``cut``: whether the study is cut so (None: ``streamed``; a block of a streamed sweep's
    model side, ``model_blocks``, may be smaller than its threshold)."""
    if not (streamed(space, study) if cut is None else cut):
        yield from ((hw_slice, space.model_side) for hw_slice, _rows in chunks(space, hardware_side=hardware_side))
        return
    side = space.hardware_side if hardware_side is None else hardware_side
    limit, model = min(CHUNK_ROWS, MAX_CHUNK_ROWS[study]), space.model_side
    start, acc = 0, 0
    for at, length, n in units(side, joined_rows(side, space.model_side).to_list(), key):
        if at > start and (acc + n > limit or n > limit):  # the rows held so far, then this unit
            yield side.slice(start, at - start), model
            start, acc = at, 0
        if n > limit:
            size = -(-model.height // -(-n // limit))
            yield from ((side.slice(at, length), model.slice(m, size)) for m in range(0, model.height, size))
            start = at + length
            continue
        acc += n
    if start < side.height:
        yield side.slice(start), model


def units(side: pl.DataFrame, rows: list[int], key: str | None) -> Iterator[tuple[int, int, int]]:
    """(first row, rows, joined rows) of each run of consecutive ``side`` rows with one value of ``key``
    (each row alone without a key)."""
    spans = ((i, 1) for i in range(side.height)) if key is None else runs_of(side.get_column(key))
    yield from ((start, length, sum(rows[start:start + length])) for start, length in spans)


def runs_of(values: pl.Series) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of equal values of ``values``, in order."""
    lengths = values.to_physical().rle().struct.field("len").to_list()
    start = 0
    for length in lengths:
        yield start, length
        start += length


def estimate(prepared: Prepared) -> dict:
    """Rows, drop counts, and the time and disk a run will take (from the measured rates above)."""
    rows, study = prepared.rows, prepared.spec.study
    return {"rows": rows, "dropped": prepared.space.dropped,
            "estimated_seconds": round(rows / ROWS_PER_S[study] + STARTUP_S, 1),
            "estimated_bytes": rows * BYTES_PER_ROW[study]}


def refusals(est: dict, out_dir: str | Path, max_rows: int | None = None) -> list[Problem]:
    """Why a sweep of estimate ``est`` into ``out_dir`` should not start unless forced: more rows
    than ``max_rows`` (default: ``default_max_rows``), or more bytes than the disk has free."""
    max_rows = default_max_rows() if max_rows is None else max_rows
    problems = []
    if est["rows"] > max_rows:
        problems.append(Problem(None, "--max-rows", f"{est['rows']:,} configurations, more than {max_rows:,} "
                                                    f"(~{est['estimated_seconds']:,.0f} s); raise --max-rows or "
                                                    "pass --force"))
    existing = Path(out_dir).resolve()
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if est["estimated_bytes"] > free:
        problems.append(Problem(None, "--out", f"~{est['estimated_bytes'] / 1e9:,.1f} GB estimated, "
                                               f"{free / 1e9:,.1f} GB free on {existing}; pass --force to try"))
    return problems
