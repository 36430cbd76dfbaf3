"""Not a test: the measurements behind CHANGELOG srvdim (srvcost's lead: serving's fact columns that read no length
written once per key of what they read, in a third dimension table the view joins).

    .venv/bin/python -m pipeline bench --study serving --rows 3000000 --out /tmp/sg   # a serving bench run
    .venv/bin/python -m tests.runs.bench_serving_grain /tmp/sg/<run> 5                # rounds
    .venv/bin/python -m tests.runs.bench_serving_grain collects 7                     # rounds

Prints, for the run's parts, each key subset's grain (distinct keys) and the fact columns one value at that grain
(the query the brief asked for), then copies the run once per layout, rewrites its parts and its view's macro, and
times (CPU s of this process, all threads, alternated) `fits` (the query `mlsys bench` times) and a query reading the
moved columns, checking every answer equals the run's; then the parts' write from memory in each layout (polars, the
writer's zstd level and statistics) and the cost of finding the grain's rows from the written rows. Layouts:

- ``written``: the parts as the run wrote them.
- ``grain keys``: the 4 length-free columns (``MOVED``) in ``dimensions/serving-grain.parquet``, one row per
  (hardware, dtypes, model, tp, pp, batch), joined by those 8 keys (grouped, as ``views.dimension_join`` joins).
- ``grain id``: the same table joined by one UInt32 the parts hold (the grain's row number in the run: a position,
  enough to time the query and the write, not a key a rerun could reuse).

``collects`` times the bench spec's chunk collects as ``partitions.write_study``'s collected path makes them (the
per-key tables built once first), with every fact column and without ``MOVED`` (as if computed elsewhere at their
grain), alternated.
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

from dataclasses import replace

import duckdb
import polars as pl

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.runs import narrow, sizing
from pipeline.runs.database import run_query
from pipeline.runs.partitions import block_space, collect_flags, sorted_side
from pipeline.runs.typed import text_codes, text_enums, typed
from pipeline.spec import parse_spec
from pipeline.runs.views import view_source
from pipeline.spec.sections import COMPRESSION_LEVELS

MOVED = ["decode_mlp_class_time_s", "decode_other_class_time_s", "decode_communication_time_s",
         "decode_dequant_overhead_s"]
AXES = ["hardware", "model", "compute_dtype", "weight_dtype", "kv_dtype", "tp", "pp", "batch", "prompt_len",
        "output_len"]
KEYS = [c for c in AXES if c not in ("prompt_len", "output_len")]  # what MOVED reads (the grain)
OPTIONS = {"compression": "zstd", "compression_level": COMPRESSION_LEVELS["zstd"], "statistics": True}
SUMS = ("SELECT model, count(*), sum(decode_mlp_class_time_s + decode_other_class_time_s + "
        "decode_communication_time_s + decode_dequant_overhead_s) FROM serving GROUP BY ALL ORDER BY ALL")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parts(run: Path) -> list[tuple[Path, pl.DataFrame]]:
    """Each part and its rows with the partition key (the folder's hardware) as a column."""
    return [(p, pl.read_parquet(p, hive_partitioning=False).with_columns(
        hardware=pl.lit(unquote(p.parent.name.split("=", 1)[1])))) for p in sorted(run.glob("study=serving/*/*"))]


def grains(rows: pl.DataFrame) -> None:
    """Each subset of the key axes without some of the lengths and batch: its distinct rows and the value columns
    with one value per key (a column's distinct count per key subset)."""
    values = [c for c in rows.columns if c not in AXES and c != "run_id"]
    for dropped in (["output_len"], ["prompt_len"], ["prompt_len", "output_len"], ["batch"],
                    ["batch", "prompt_len", "output_len"]):
        keys = [c for c in AXES if c not in dropped]
        per_key = rows.group_by(keys).agg(pl.col(values).n_unique()).select(pl.col(values).max()).row(0, named=True)
        one = [c for c, n in per_key.items() if n == 1]
        print(f"without {'/'.join(dropped)}: {rows.select(keys).n_unique():,} keys; one value a key: {one}")


def _grain_join(sql: str, on_id: bool) -> str:
    """``sql`` (a view over parts without ``MOVED``: typed NULLs) reading ``MOVED`` from the grain table."""
    for c in MOVED:
        # Float32, cast as the parts' columns are (``views.row_column``)
        sql = sql.replace(f'CAST(NULL AS DOUBLE) AS "{c}"', f'CAST(g."{c}" AS DOUBLE) AS "{c}"')
    anchor = 'f."output_len" = m."output_len"'
    if sql.count(anchor) != 1:
        raise SystemExit("the serving view's model join is not the one this script extends")
    keys = ["__grain"] if on_id else KEYS
    named = ", ".join(f'"{k}" AS "__g_{k}"' for k in keys)
    values = "".join(f', any_value("{c}") AS "{c}"' for c in MOVED)
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    on = " AND ".join(f'f."{k}" = g."__g_{k}"' for k in keys)
    return sql.replace(anchor, f"{anchor} LEFT JOIN (SELECT {named}{values} FROM "
                               f"read_parquet('dimensions/serving-grain.parquet') GROUP BY {positions}) g ON {on}")


def layout_copy(run: Path, scratch: Path, layout: str, written: list[tuple[Path, pl.DataFrame]],
                grain: pl.DataFrame) -> Path:
    folder = scratch / layout.replace(" ", "-")
    shutil.copytree(run, folder)
    if layout == "written":
        return folder
    on_id = layout == "grain id"
    grain.select(*(["__grain"] if on_id else KEYS), *MOVED).write_parquet(
        folder / "dimensions" / "serving-grain.parquet", **OPTIONS)
    for path, rows in written:
        target = folder / path.relative_to(run)
        numbered = rows.join(grain.select(*KEYS, "__grain"), on=KEYS, how="left", maintain_order="left")
        numbered.drop(*MOVED, "hardware", *([] if on_id else ["__grain"])).write_parquet(target, **OPTIONS)
    cwd = os.getcwd()
    os.chdir(folder)  # the macro's paths are relative to the run folder
    try:
        con = duckdb.connect("results.duckdb")
        source = _grain_join(view_source(folder, "", "serving"), on_id)
        con.execute(f"CREATE OR REPLACE MACRO serving_rows() AS TABLE {source}")
        con.close()
    finally:
        os.chdir(cwd)
    return folder


def _close(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    """Equal, the sums to 1e-9 (DuckDB's parallel sum of floats depends on the order it meets them in)."""
    return a.shape == b.shape and all(x[:-1] == y[:-1] and math.isclose(x[-1], y[-1], rel_tol=1e-9)
                                      for x, y in zip(a.rows(), b.rows()))


def _range(times: list[float]) -> str:
    t = sorted(times)
    return f"{t[0]:.3f}-{t[-1]:.3f} (median {t[len(t) // 2]:.3f})"


def main(run: Path, rounds: int) -> None:
    written = parts(run)
    whole = pl.concat([rows for _, rows in written], how="vertical_relaxed")
    grains(whole)
    grain = whole.select(*KEYS, *MOVED).unique(KEYS, maintain_order=True).with_row_index("__grain")
    layouts = ["written", "grain keys", "grain id"]
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-serving-grain-"))
    try:
        copies = {name: layout_copy(run, scratch, name, written, grain) for name in layouts}
        fits, sums = run_query("fits", run), duckdb.connect().sql(
            f"CREATE VIEW serving AS {view_source(run, f'{run}/', 'serving')}; {SUMS}").pl()
        cpu: dict[tuple[str, str], list[float]] = {}
        cwd = os.getcwd()
        for _ in range(rounds):
            for name, folder in copies.items():
                start = _cpu()
                got = run_query("fits", folder)
                cpu.setdefault((name, "fits"), []).append(_cpu() - start)
                if not got.equals(fits):
                    raise SystemExit(f"{name}: fits differs from the run's")
                con = duckdb.connect(str(folder / "results.duckdb"), read_only=True)
                os.chdir(folder)
                start = _cpu()
                got = con.sql(SUMS).pl()
                cpu.setdefault((name, "sums"), []).append(_cpu() - start)
                con.close()
                os.chdir(cwd)
                if not _close(got, sums):
                    raise SystemExit(f"{name}: the moved columns' sums differ from the run's")
        keyed = [rows.join(grain.select(*KEYS, "__grain"), on=KEYS, how="left", maintain_order="left")
                 for _, rows in written]
        writes: dict[str, list[float]] = {}
        found: dict[str, list[float]] = {"unique a part": [], "first of each run a part": []}
        for _ in range(rounds):
            for name in layouts:
                drop = {"written": ["__grain"], "grain keys": [*MOVED, "__grain"], "grain id": MOVED}[name]
                start = _cpu()
                for rows in keyed:
                    rows.drop(*drop, "hardware").write_parquet(scratch / "part.parquet", **OPTIONS)
                writes.setdefault(name, []).append(_cpu() - start)
            start = _cpu()
            pl.concat([rows.select(*KEYS, *MOVED).unique(KEYS) for _, rows in written])
            found["unique a part"].append(_cpu() - start)
            start = _cpu()  # the rows where a key changes (the grain's rows when each key's rows are consecutive)
            pl.concat([rows.select(*KEYS, *MOVED).filter(pl.any_horizontal(
                pl.col(k).ne_missing(pl.col(k).shift(1)) for k in KEYS) | (pl.int_range(pl.len()) == 0))
                for _, rows in written])
            found["first of each run a part"].append(_cpu() - start)
        for name in layouts:
            folder = copies[name]
            size = sum(p.stat().st_size for p in folder.glob("study=serving/*/*.parquet")) / 1e6
            extra = folder / "dimensions" / "serving-grain.parquet"
            table = f" + grain table {extra.stat().st_size / 1e6:.2f} MB" if extra.exists() else ""
            print(f"{name:10s} fits {_range(cpu[name, 'fits'])}; sums {_range(cpu[name, 'sums'])}; parts written "
                  f"{_range(writes[name])} CPU s, {size:.1f} MB{table}")
        for name, times in found.items():
            print(f"the grain's rows from the written rows, {name}: {_range(times)} CPU s")
        print(f"answers equal ({fits.height:,} fits rows); grain {grain.height:,} rows; load average "
              f"{os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def collects(rounds: int) -> None:
    prepared = runs.prepare(parse_spec(synthetic_spec(9, "serving"), "bench"))
    study, enums = prepared.study, text_enums(prepared.catalogs, "serving")
    space = block_space(prepared, prepared.space.model_side, False, enums)
    side = sorted_side(space, "hardware", frozenset())
    texts = text_codes([prepared.space.hardware_side, prepared.space.model_side], ())
    shape = narrow.layout(prepared, study.build(space, side.head(0)).frame.collect_schema())
    block = replace(space, grouped_by="hardware")
    pieces = list(sizing.pieces(block, "serving", hardware_side=side, key="hardware", cut=False))

    def collected(drop: list[str]) -> int:
        rows = 0
        for hw, model in pieces:
            piece = block if model is space.model_side else replace(block, model_side=model)
            frame = typed(study.build(piece, hw).frame, "serving", "r", texts, shape, enums).drop(drop)
            rows += frame.collect(optimizations=collect_flags(study)).height
        return rows

    collected([])  # the per-key tables, built once (cached) as for every chunk after a run's first
    cpu: dict[str, list[float]] = {"every column": [], "without MOVED": []}
    for _ in range(rounds):
        for name, times in cpu.items():
            start = _cpu()
            rows = collected(MOVED if name == "without MOVED" else [])
            times.append(_cpu() - start)
    for name, times in cpu.items():
        print(f"{name:14s} {_range(times)} CPU s, {rows:,} rows in {len(pieces)} chunks")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "collects":
        collects(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    else:
        main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 5)
