"""Not a test: the measurements behind the node sweep's CPU breakdown (CHANGELOG and README "Speed", nspeed).

    .venv/bin/python -m tests.runs.bench_stages stages            # CPU s per stage of a 3.2 M-row node sweep
    .venv/bin/python -m tests.runs.bench_stages dump OUT.parquet   # a small node sweep's view and map, to compare
    .venv/bin/python -m tests.runs.bench_stages same A.parquet B.parquet

``stages`` times, in this process, each stage of ``mlsys bench --rows 3000000``'s spec (minimum of two
repetitions, CPU seconds of all threads): the cross join, the fact table's columns with polars' defaults and
with the study's ``OPTIMIZATIONS``, encoding the fact parts (zstd level 3 with statistics, lz4 without, the key
axes and the four values ``design_space_map`` reads, the key axes alone) and the query over a written run.
``dump`` writes a ``synthetic_spec(2)`` node sweep with whichever ``pipeline`` is importable (to compare trees:
``git archive 1acbb6d | tar -x -C /tmp/ns-old``, then from /tmp/ns-old ``PYTHONPATH=/tmp/ns-old
/work/wt/nspeed/.venv/bin/python /work/wt/nspeed/tests/runs/bench_stages.py dump /tmp/old.parquet``): its
``node`` view sorted by ``config_id`` (run_id aside), its ``design_space_map`` answer and the manifest's
counts; ``same`` compares two dumps exactly.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.runs import narrow, sizing
from pipeline.runs.database import run_query
from pipeline.runs.sizing import runs_of
from pipeline.runs.typed import KEY_AXES, text_codes, typed
from pipeline.spec import parse_spec

KEYS = ["run_id", *[c for c in KEY_AXES["node"] if c != "region"]]
QUERY_VALUES = ["is_feasible", "latency_s", "samples_per_j", "bound"]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def stages(batches: int = 11) -> list[str]:
    from pipeline.runs import collect_flags  # here: ``dump`` also runs on trees without it

    started = _cpu()
    prepared = runs.prepare(parse_spec(synthetic_spec(batches), "bench"))
    lines = [f"rows {prepared.rows:,}; prepare (space building) {_cpu() - started:.2f} CPU s; "
             f"load average {os.getloadavg()[0]:.1f}"]
    space, study = prepared.space, prepared.study
    side = space.hardware_side.sort(pl.col("hardware").cast(pl.String), maintain_order=True)
    texts = text_codes([space.hardware_side, space.model_side], ())
    shape = narrow.layout(prepared, study.build(space, side.head(0)).frame.collect_schema())
    grouped = replace(space, grouped_by="hardware")
    chunks = [hw for hw, _ in sizing.chunks(space, hardware_side=side)]
    seconds: dict[str, list[float]] = {}
    sizes: dict[str, float] = {}

    def timed(name, fn):
        cpu = _cpu()
        out = fn()
        seconds.setdefault(name, []).append(_cpu() - cpu)
        return out

    def fact(flags=None):
        grouped = replace(space, grouped_by="hardware")  # per_key's tables come from its cache after the first pass
        return [typed(study.build(grouped, hw).frame, "node", "r", texts, shape).collect(
            optimizations=flags or pl.QueryOptFlags()) for hw in chunks]

    encodings = [("encode fact, zstd 3 + statistics", None, {"compression": "zstd", "statistics": True}),
                 ("encode fact, lz4, no statistics", None, {"compression": "lz4", "statistics": False}),
                 ("encode keys + 4 query values, zstd 3", KEYS + QUERY_VALUES, {"compression": "zstd"}),
                 ("encode keys only, zstd 3", KEYS, {"compression": "zstd"})]
    for _ in range(2):
        timed("cross join (every column of both sides)", lambda: [grouped.frame(hw).collect() for hw in chunks])
        timed("fact table, polars' defaults", fact)
        frames = timed("fact table, the study's OPTIMIZATIONS", lambda: fact(collect_flags(study)))
        parts = [f.slice(s, n) for f in frames for s, n in runs_of(f.get_column("hardware"))]
        scratch = Path(tempfile.mkdtemp(prefix="mlsys-stages-"))
        try:
            for name, columns, options in encodings:
                timed(name, lambda c=columns, o=options, d=scratch, ps=parts: [
                    (p if c is None else p.select([x for x in c if x in p.columns])).write_parquet(d / f"{i}.parquet", **o) for i, p in enumerate(ps)])
                sizes[name] = sum(f.stat().st_size for f in scratch.glob("*.parquet")) / prepared.rows
                for f in scratch.glob("*.parquet"):
                    f.unlink()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-stages-run-"))
    try:
        run_dir = runs.run(prepared, scratch)
        for _ in range(2):
            timed("design_space_map query", lambda: run_query("design_space_map", run_dir))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    millions = prepared.rows / 1e6
    for name, values in seconds.items():
        size = f", {sizes[name]:.1f} B/row" if name in sizes else ""
        lines.append(f"{name:42s} {min(values):6.2f} CPU s = {min(values) / millions:.2f} per M rows "
                     f"(max {max(values):.2f}){size}")
    return lines


def dump(out: str) -> str:
    prepared = runs.prepare(parse_spec(synthetic_spec(2) | {"output": {"compression": "zstd"}}, "bench"))
    scratch = Path(tempfile.mkdtemp(prefix="mlsys-stages-dump-"))
    try:
        run_dir = runs.run(prepared, scratch)
        con = duckdb.connect(str(run_dir / "results.duckdb"), read_only=True)
        here = os.getcwd()
        os.chdir(run_dir)  # the view's paths are relative to the run folder
        try:
            view = pl.from_arrow(con.sql("select * exclude (run_id) from node order by config_id").to_arrow_table())
        finally:
            os.chdir(here)
            con.close()
        view.write_parquet(out)
        run_query("design_space_map", run_dir).write_parquet(f"{out}.dsm.parquet")
        manifest = json.loads((run_dir / "manifest.json").read_text())
        Path(f"{out}.manifest.json").write_text(json.dumps(
            {k: manifest[k] for k in ("out_of_range", "partitions", "out_of_range_by_part")}, indent=1, sort_keys=True))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return f"{view.shape} rows x columns written to {out}"


def same(a: str, b: str) -> str:
    for suffix in ("", ".dsm.parquet"):
        assert_frame_equal(pl.read_parquet(a + suffix), pl.read_parquet(b + suffix), check_exact=True)
    counts = [json.loads(Path(f"{p}.manifest.json").read_text()) for p in (a, b)]
    return "identical" if counts[0] == counts[1] else "manifest counts DIFFER"


if __name__ == "__main__":
    if sys.argv[1] == "stages":
        print("\n".join(stages()))
    elif sys.argv[1] == "dump":
        print(dump(sys.argv[2]))
    else:
        print(same(sys.argv[2], sys.argv[3]))
