"""The first block's chunks of the 10 M-row serving bench written as the run writes them (one Parquet part per
accelerator, the run's options) against variants of polars' writer options: CPU s of all the writes, bytes, R rounds
alternated: `PYTHONPATH=TREE:. python write_options.py [R]`."""
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import common
from common import cpu
from pipeline.runs import narrow, partitions, sizing
from pipeline.runs.typed import arrow_schema, text_codes, text_enums, typed
from pipeline.studies import per_key, schema_columns

p = common.prepared(10_000_000)
enums = text_enums(p.catalogs, "serving")
block = next(sizing.model_blocks(p.space, "serving", True))
per_key.forget()
space = replace(partitions.block_space(p, block, False, enums), grouped_by="hardware")
side = partitions.sorted_side(space, "hardware", frozenset())
texts = text_codes([p.space.hardware_side, p.space.model_side], ())
plan = p.study.build(space, side.head(0))
dtypes = plan.frame.collect_schema()
shape = narrow.layout(p, dtypes, None)
chunks = [typed(p.study.build(space, hw).frame, "serving", "rid", texts, shape, enums, dtypes).collect()
          for hw, _ in sizing.pieces(space, "serving", hardware_side=side, key="hardware", cut=False)]
declared = schema_columns(p.study.SCHEMA)
empty = chunks[0].head(0).drop("hardware")
schema = arrow_schema(empty.lazy(), {k: d["unit"] for k, d in declared.items()},
                      {k: d["description"] for k, d in declared.items()})
options = partitions.parquet_options(schema, "zstd")
variants = {"run": options, "page 64 kB": options | {"data_page_size": 1 << 16},
            "page 8 MB": options | {"data_page_size": 1 << 23}}
print({c: str(t) for c, t in empty.schema.items()}, flush=True)
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2):
    for name, opts in variants.items():
        d = Path(tempfile.mkdtemp(prefix="wo-"))
        c = cpu()
        for i, rows in enumerate(chunks):
            body = rows.drop("hardware")
            for k, (s, n) in enumerate(sizing.runs_of(rows.get_column("hardware"))):
                body.slice(s, n).write_parquet(d / f"{i}-{k}.parquet", **opts)
        size = sum(f.stat().st_size for f in d.iterdir())
        print(f"{name:12s} {cpu() - c:.3f} CPU s, {size / 1e6:.1f} MB", flush=True)
        shutil.rmtree(d)
