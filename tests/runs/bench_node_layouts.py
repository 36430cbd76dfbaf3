"""Not a test: the measurements behind CHANGELOG nodekeys (the two node fact-table layouts left by nodeq/nodequery).

    .venv/bin/python -m pipeline bench --study node --rows 3000000 --out /tmp/nl   # a node bench run to rewrite
    .venv/bin/python -m tests.runs.bench_node_layouts /tmp/nl/<run> 8            # copies, rounds

Copies the run into a temporary folder once per layout, rewrites its fact parts (and, for the key, its model table
and its view's macro), then times ``design_space_map`` on the copies alternated (CPU s of this process, all threads)
and checks every answer equals the run's; then times writing the run's parts from memory in each layout (polars,
the writer's zstd level and statistics). Layouts:

- ``written``: the parts as the run wrote them (one row group, null counts only).
- ``model key``: a UInt32 model-table row in place of model, step, batch, seq_len; the view joins on it (a row
  position: enough to time the query and the write, not a key a rerun could reuse).
- ``feasible first``: each part's larger class of ``is_feasible`` first, the two classes in row groups of their own,
  min/max statistics (polars writes them for every column or none), so DuckDB skips the infeasible row groups.
- ``feasible NULL``: as ``feasible first`` with null counts only and ``is_feasible`` NULL where false, the view
  reading ``f.is_feasible IS NOT NULL`` (DuckDB skips a row group whose column is NULL throughout).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from pipeline.runs.database import run_query
from pipeline.spec.sections import COMPRESSION_LEVELS
from pipeline.studies.node import PARQUET_STATISTICS

KEYS = ["model", "workload", "step", "batch", "seq_len"]
# the writer's options for a node part of one row group (``partitions.write_parts``' ``single``)
OPTIONS = {"compression": "zstd", "compression_level": COMPRESSION_LEVELS["zstd"], "statistics": PARQUET_STATISTICS}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _classes(part: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``part`` with its larger class of ``is_feasible`` first, and the row group size that parts the two."""
    feasible = part.get_column("is_feasible")
    k, n = feasible.sum(), part.height
    if 0 < k < n:
        first, second = part.filter(feasible), part.filter(~feasible)
        part = pl.concat([first, second] if k >= n - k else [second, first])
    return part, max(k, n - k, 1)


def _keyed(part: pl.DataFrame, model: pl.DataFrame) -> pl.DataFrame:
    text = [pl.col(c).cast(pl.String) if c in KEYS[:3] else pl.col(c) for c in KEYS]
    rows = part.with_row_index("__row").join(model.select(*text, "model_key"), left_on=text, right_on=KEYS,
                                             how="left", nulls_equal=True).sort("__row")
    return rows.select("run_id", "workload", "compute_dtype", "model_key", "compute_time_s", "is_feasible")


def write(part: pl.DataFrame, path, layout: str, model: pl.DataFrame | None = None) -> None:
    if layout == "written":
        part.write_parquet(path, **OPTIONS)
    elif layout == "model key":  # ``part`` keyed already when ``model`` is None (the write timed alone)
        (part if model is None else _keyed(part, model)).write_parquet(path, **OPTIONS)
    elif layout == "feasible first":
        ordered, size = _classes(part)
        ordered.write_parquet(path, **OPTIONS | {"statistics": True, "row_group_size": size})
    else:
        ordered, size = _classes(part)
        ordered.with_columns(pl.when("is_feasible").then(True).alias("is_feasible")).write_parquet(
            path, **OPTIONS | {"row_group_size": size})


def _macro(folder: Path, edit) -> None:
    cwd = os.getcwd()
    os.chdir(folder)  # the macro's paths are relative to the run folder
    try:
        con = duckdb.connect("results.duckdb")
        sql = con.sql("select macro_definition from duckdb_functions() where function_name = 'node_rows'").fetchall()
        con.execute(f"CREATE OR REPLACE MACRO node_rows() AS TABLE {edit(sql[0][0])}")
        con.close()
    finally:
        os.chdir(cwd)


def _key_join(sql: str) -> str:
    join = " AND ".join(f"(f.{c} IS NOT DISTINCT FROM m.{c})" for c in KEYS)
    if join not in sql:
        raise SystemExit("the node view's model join is not on the five keys this script rewrites")
    sql = sql.replace(f"AS m ON (({join}))", "AS m ON ((f.model_key = m.model_key))")
    for c in ("model", "step", "batch", "seq_len"):
        sql = sql.replace(f"f.{c},", f"m.{c},").replace(f'f."{c}"', f'm."{c}"')
    return sql


def layout_copy(run: Path, scratch: Path, layout: str) -> Path:
    folder = scratch / layout.replace(" ", "-")
    shutil.copytree(run, folder)
    model = None
    if layout == "model key":
        table = folder / "dimensions" / "node-model.parquet"
        model = pl.read_parquet(table).with_row_index("model_key")
        model.write_parquet(table, **OPTIONS)
    for path in sorted(folder.glob("study=node/*/*.parquet")):
        write(pl.read_parquet(path), path, layout, model)
    if layout == "model key":
        _macro(folder, _key_join)
    elif layout == "feasible NULL":
        _macro(folder, lambda sql: sql.replace(" f.is_feasible, ", " (f.is_feasible IS NOT NULL) AS is_feasible, "))
    return folder


def main(run: Path, rounds: int) -> None:
    layouts = ["written", "model key", "feasible first", "feasible NULL"]
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-node-layouts-"))
    try:
        copies = {name: layout_copy(run, scratch, name) for name in layouts}
        answer = run_query("design_space_map", run)
        cpu: dict[str, list[float]] = {}
        for _ in range(rounds):
            for name, folder in copies.items():
                start = _cpu()
                got = run_query("design_space_map", folder)
                cpu.setdefault(name, []).append(_cpu() - start)
                if not got.equals(answer):
                    raise SystemExit(f"{name}: design_space_map differs from the run's")
        parts = [pl.read_parquet(p) for p in sorted(run.glob("study=node/*/*.parquet"))]
        model = pl.read_parquet(run / "dimensions" / "node-model.parquet").with_row_index("model_key")
        keyed = [_keyed(part, model) for part in parts]  # the key timed as if it rode through the plan
        writes: dict[str, list[float]] = {}
        for _ in range(rounds):
            for name in layouts:
                start = _cpu()
                for part in keyed if name == "model key" else parts:
                    write(part, scratch / "part.parquet", name)
                writes.setdefault(name, []).append(_cpu() - start)
        for name in layouts:
            size = sum(p.stat().st_size for p in copies[name].glob("study=node/*/*.parquet")) / 1e6
            q, w = sorted(cpu[name]), sorted(writes[name])
            print(f"{name:15s} design_space_map {q[0]:.3f}-{q[-1]:.3f} (median {q[len(q) // 2]:.3f}) CPU s; parts "
                  f"written {w[0]:.3f}-{w[-1]:.3f} (median {w[len(w) // 2]:.3f}) CPU s, {size:.1f} MB")
        print(f"answers equal ({answer.height:,} rows); load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5)
