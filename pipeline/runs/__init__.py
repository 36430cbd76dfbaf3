"""Runs: prepare a sweep, write it to an atomic run directory, query it.

    prepared.py   Prepared, prepare, collect, STUDIES
    sizing.py     chunks, estimate, refusals (Parquet parts, the dry-run estimate, size guards)
    manifest.py   run_id, manifest, version
    write.py      run (the run directory, see its docstring for the layout)
    narrow.py     the narrow fact table: its layout and dimension tables
    views.py      the views' SELECT over a narrow run, scan_run (the same join in polars)
    partitions.py the Hive partitions study=<study>/<accelerator key>=<name>/part-NNNNN.parquet
    typed.py      config_id, run_id, integral axes, units in the Parquet field metadata
    progress.py   progress_bar
    atomic.py     the one atomic directory writer
    database.py   results.duckdb: views, resolving and querying runs
    history.py    list_runs, prune (mlsys runs list / prune)
    dask_executor.py  the partitions as tasks on Dask distributed (--executor dask; optional extra)

The names below are the package's public API (``pipeline.runs.prepare``, ``pipeline.runs.run``, ...).
"""

from __future__ import annotations

from pipeline.runs.manifest import run_id, version
from pipeline.runs.views import scan_run
from pipeline.runs.partitions import collect_flags, part_files, study_glob
from pipeline.runs.prepared import STUDIES, Prepared, collect, prepare
from pipeline.runs.progress import progress_bar
from pipeline.runs.sizing import CHUNK_ROWS, chunks, estimate, refusals
from pipeline.runs.write import run

__all__ = ["CHUNK_ROWS", "STUDIES", "Prepared", "chunks", "collect", "collect_flags", "estimate", "part_files",
           "prepare", "progress_bar", "refusals", "run", "run_id", "scan_run", "study_glob", "version"]
