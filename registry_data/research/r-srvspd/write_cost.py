"""`partitions.write_parts` of the bench spec's 7 typed chunks, collected first: CPU s as written, without statistics, uncompressed (3 rounds): `PYTHONPATH=TREE python write_cost.py`"""
import tempfile, shutil, sys
from pathlib import Path
import polars as pl
from dataclasses import replace
from pipeline.runs import partitions, sizing, narrow
from pipeline.runs.typed import text_codes, typed, arrow_schema
from pipeline.studies import schema_columns
import common
from common import cpu
p = common.prepared()
enums, space, side, sp = common.grouped(p)
pieces = list(sizing.pieces(sp, "serving", hardware_side=side, key="hardware", cut=False))
texts = text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ())
plan = p.study.build(replace(sp, model_side=sp.model_side), side.head(0))
shape = narrow.layout(p, plan.frame.collect_schema(), None)
empty = typed(plan.frame, "serving", "rid", texts, shape, enums).drop("hardware")
declared = schema_columns(p.study.SCHEMA)
schema = arrow_schema(empty, {c: d["unit"] for c, d in declared.items()}, {c: d["description"] for c, d in declared.items()})
options = partitions.parquet_options(schema, "zstd")
chunks = []
for hw, model in pieces:
    chunks.append(typed(p.study.build(sp, hw).frame, "serving", "rid", texts, shape, enums).collect(optimizations=partitions.collect_flags(p.study)))
def write_all(opts):
    d = Path(tempfile.mkdtemp(prefix="wp-"))
    c = cpu()
    for i, rows in enumerate(chunks):
        targets = []
        for start, length in sizing.runs_of(rows.get_column("hardware")):
            targets.append((start, length, f"h{i}-{start}/part-00000.parquet"))
        partitions.write_parts(rows.drop("hardware"), targets, d, "study=serving", p.study.SCHEMA, opts, None)
    t = cpu() - c
    size = sum(f.stat().st_size for f in d.rglob("*.parquet"))
    shutil.rmtree(d)
    return t, size
for rep in range(3):
    for name, o in [("base", options), ("nostats", options | {"statistics": False}), ("lvl-none", options | {"compression": "uncompressed"})]:
        t, size = write_all(o)
        print(name, f"{t:.3f} CPU s", size)
