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
srvrow = load("r-srvrow", "common.py")
cpu, prepared, grouped = srvspd.cpu, srvspd.prepared, srvspd.grouped


def chunks(rows: int = 3_000_000):
    """The sweep's typed chunks (collected) of the first block of the bench spec at ``rows`` (r-srvrow's
    ``chunk_context`` / ``typed_chunk``), its prepared run and the parts' Parquet options (as
    ``partitions.write_study`` builds them)."""
    from pipeline.runs import partitions, sizing
    from pipeline.runs.typed import arrow_schema
    from pipeline.studies import schema_columns
    c = srvrow.chunk_context(rows)
    pieces = sizing.pieces(c.sp, "serving", hardware_side=c.side, key="hardware", cut=False)
    out = [srvrow.typed_chunk(c, hw).collect(optimizations=c.flags) for hw, _ in pieces]
    declared = schema_columns(c.p.study.SCHEMA)
    empty = out[0].head(0).drop("hardware")
    schema = arrow_schema(empty.lazy(), {k: d["unit"] for k, d in declared.items()},
                          {k: d["description"] for k, d in declared.items()})
    return c.p, out, partitions.parquet_options(schema, "zstd")
