"""Not a test: where the training sweep's compute goes (issue 15; CHANGELOG trspeed).

    .venv/bin/python -m tests.runs.bench_training_plan source written [COLUMN,COLUMN ...]
    POLARS_MAX_THREADS=1 .venv/bin/python -m tests.runs.bench_training_plan source written

Runs the training bench spec's plan (``pipeline.bench.synthetic_spec(1, "training")``: 6,714,264 rows) as a sweep
runs it (``runs.streamed.piece_rows`` over ``runs.sizing.pieces``, the accelerators' rows together) and collects,
then drops, each pass's columns: ``source``, the joined sides' columns the plan reads (no formula); ``written``, the
columns a run writes (``runs.typed``, the narrow fact table's); a comma-separated list, those output columns. Prints
the rows, wall and CPU seconds of this process (all threads) and the load average of each pass; nothing is written.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import replace

import polars as pl

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.runs import narrow, sizing, streamed
from pipeline.runs.partitions import PARTITION_KEY, collect_flags
from pipeline.runs.typed import text_codes, typed
from pipeline.spec import parse_spec

STUDY = "training"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def passes(labels: list[str]) -> None:
    prepared = runs.prepare(parse_spec(synthetic_spec(1, STUDY) | {"output": {"compression": "zstd"}}, "bench"))
    study, space, key = prepared.study, prepared.space, PARTITION_KEY[STUDY]
    side = space.hardware_side.sort(pl.col(key).cast(pl.String), maintain_order=True, nulls_last=True)
    texts = text_codes([space.hardware_side, space.model_side], ())
    empty = space.hardware_side.head(0)
    shape = narrow.layout(prepared, study.build(space, empty).frame.collect_schema(), None)
    joined = space.frame(empty).collect_schema().names()

    def source(whole):
        plan = study.build(whole, empty).frame.explain(optimized=True)  # the projection the source is asked for
        return whole.frame().select(c for c in joined if f'"{c}"' in plan)

    for label in labels:
        if label == "source":
            plan = source
        elif label == "written":
            def plan(whole):
                return typed(study.build(whole, empty).frame, STUDY, "r", texts, shape)
        else:
            def plan(whole, columns=label.split(",")):
                return study.build(whole, empty).frame.select(columns)
        wall, cpu, rows = time.perf_counter(), _cpu(), 0
        for piece in streamed.piece_rows(replace(space, grouped_by=key), sizing.pieces(space, STUDY, side, key),
                                         plan, collect_flags(study), sizing.SOURCE_ROWS.get(STUDY)):
            rows += piece.height
        print(f"{label[:60]}: {rows:,} rows {time.perf_counter() - wall:.2f} s {_cpu() - cpu:.2f} CPU s "
              f"(POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', 'default')}, "
              f"load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    passes(sys.argv[1:] or ["source", "written"])
