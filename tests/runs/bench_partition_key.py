"""Not a test: the CPU of writing a study's bench parts (``partitions.write_parts``, the run's options) with every
fact column, without the partition key, and without the key and run_id (CHANGELOG hive):

    .venv/bin/python -m tests.runs.bench_partition_key node 3000000 4   # study, rows, repeats

The rows are computed once (``pipeline.bench.synthetic_spec``, as ``mlsys bench``); the three writes are repeated
in alternating order, each timed by this process's CPU (user + system, all threads)."""

from __future__ import annotations

import resource
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import polars as pl

from pipeline import runs
from pipeline.bench import synthetic_spec, packaged_codec
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import PARTITION_KEY, arrow_schema, text_codes, typed
from pipeline.spec import parse_spec
from pipeline.studies import schema_columns

study, target, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
probe = runs.prepare(parse_spec(synthetic_spec(1, study), "bench")).rows
batches = max(1, -(-target // probe))
codec = {"output": {"compression": packaged_codec(study)}}
prepared = runs.prepare(parse_spec(synthetic_spec(batches, study) | codec, "bench"))
key = PARTITION_KEY[study]
space = prepared.space
if sizing.streamed(space, study) and hasattr(prepared.study, "streamed_space"):
    space = prepared.study.streamed_space(space)
texts = text_codes([space.hardware_side, space.model_side], prepared.spec.axes.region or ())
plan = prepared.study.build(space, space.hardware_side.head(0))
shape = narrow.layout(prepared, plan.frame.collect_schema())
declared = schema_columns(prepared.study.SCHEMA)
side = space.hardware_side.sort(pl.col(key).cast(pl.String), maintain_order=True, nulls_last=True)
grouped = replace(space, grouped_by=key)
frames = list(partitions.piece_rows(prepared.study, study, grouped,
                                    sizing.pieces(space, study, hardware_side=side, key=key),
                                    lambda f: typed(f, study, "20261205T000000Z-deadbeef", texts, shape)))
rows = pl.concat(frames, rechunk=False)
print(study, rows.height, "rows", rows.width, "columns", flush=True)
variants = {"all": [], "no key": [key], "no key, no run_id": [key, "run_id"]}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


units = {c: x["unit"] for c, x in declared.items()}
descriptions = {c: x["description"] for c, x in declared.items()}
results = {v: [] for v in variants}
sizes = {}
for r in range(repeats):
    for v, dropped in (variants.items() if r % 2 == 0 else reversed(variants.items())):
        with tempfile.TemporaryDirectory() as d:
            base = Path(d)
            total = 0
            c0 = cpu()
            for frame in frames:
                kept = frame.drop(dropped)
                schema = arrow_schema(kept.head(0).lazy(), units, descriptions)
                options = partitions.parquet_options(schema, prepared.spec.output.compression)
                targets = []
                for i, (start, length) in enumerate(sizing.runs_of(frame.get_column(key))):
                    targets.append((start, length, f"p{total + i}/part.parquet"))
                total += len(targets)
                partitions.write_parts(kept, targets, base, "s", prepared.study.SCHEMA, options)
            results[v].append(cpu() - c0)
            sizes[v] = sum(p.stat().st_size for p in base.rglob("*.parquet"))
for v, xs in results.items():
    xs = sorted(xs)
    print(f"{v:>18}: CPU s min {xs[0]:.3f} median {xs[len(xs) // 2]:.3f} max {xs[-1]:.3f}; "
          f"{sizes[v] / rows.height:.3f} B/row")
