"""What the r-srvspd3 scripts share: r-srvspd's and r-srvrow's helpers loaded by path from their folders (not copied):
``cpu`` (this process's CPU s), ``prepared``/``grouped`` (the serving bench's 3 M-row sweep prepared as
``mlsys bench`` prepares it) and ``chunks()``: the bench spec's typed chunks as the run writes them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(folder: str, name: str):
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}".replace("-", "_"), HERE.parent / folder / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


srvspd = load("r-srvspd", "common.py")
cpu, prepared, grouped = srvspd.cpu, srvspd.prepared, srvspd.grouped


def chunks(rows: int = 3_000_000):
    """The sweep's typed chunks (collected) of the first block of the bench spec at ``rows``, its prepared run and the
    parts' Parquet options (as ``partitions.write_study`` builds them)."""
    from pipeline.runs import narrow, partitions, sizing
    from pipeline.runs.typed import arrow_schema, text_codes, typed
    from pipeline.studies import schema_columns
    p = prepared(rows)
    enums, _space, side, sp = grouped(p)
    pieces = list(sizing.pieces(sp, "serving", hardware_side=side, key="hardware", cut=False))
    texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
    plan = p.study.build(sp, side.head(0))
    dt = plan.frame.collect_schema()
    shape = narrow.layout(p, dt, None)
    flags = partitions.collect_flags(p.study)
    out = [typed(p.study.build(sp, hw).frame, "serving", "rid", texts, shape, enums, dt).collect(optimizations=flags)
           for hw, _ in pieces]
    declared = schema_columns(p.study.SCHEMA)
    empty = out[0].head(0).drop("hardware")
    schema = arrow_schema(empty.lazy(), {c: d["unit"] for c, d in declared.items()},
                          {c: d["description"] for c, d in declared.items()})
    return p, out, partitions.parquet_options(schema, "zstd")
