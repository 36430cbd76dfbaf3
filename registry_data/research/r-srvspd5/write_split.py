"""The 10 M-row serving bench's parts' write split: the first block's chunks collected as the run types them, then
per chunk ``partitions.write_parts`` whole, its range checks alone (``range_checks`` over the chunk), and the Parquet
writes alone (the parts' slices, the run's options), CPU s summed over the chunks, R rounds:
`PYTHONPATH=TREE:. python write_split.py [R]`."""
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
checks = partitions.range_checks(p.study.SCHEMA, empty.schema)
print(f"{len(chunks)} chunks, {sum(c.height for c in chunks):,} rows, {len(checks)} range checks", flush=True)
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2):
    d = Path(tempfile.mkdtemp(prefix="ws-"))
    (d / "a").mkdir()
    whole = checked = written = 0.0
    for i, rows in enumerate(chunks):
        targets = [(s, n, f"hardware={i}-{k}/part-00000.parquet")
                   for k, (s, n) in enumerate(sizing.runs_of(rows.get_column("hardware")))]
        body = rows.drop("hardware")
        c = cpu()
        partitions.write_parts(body, targets, d / "a", "x", p.study.SCHEMA, options)
        whole += cpu() - c
        c = cpu()
        body.select(checks).row(0)
        checked += cpu() - c
        c = cpu()
        for s, n, rel in targets:
            (d / "b" / rel).parent.mkdir(parents=True, exist_ok=True)
            body.slice(s, n).write_parquet(d / "b" / rel, **options)
        written += cpu() - c
    shutil.rmtree(d)
    print(f"write_parts {whole:.3f}; range checks over each chunk {checked:.3f}; Parquet writes alone {written:.3f} "
          "CPU s")
