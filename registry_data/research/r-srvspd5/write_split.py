"""The 10 M-row serving bench's parts' write split: the first block's chunks collected as the run types them, then
per chunk ``partitions.write_parts`` whole, its range checks alone (``range_checks`` over the chunk), and the Parquet
writes alone (the parts' slices, the run's options), CPU s summed over the chunks, R rounds:
`PYTHONPATH=TREE:. python write_split.py [R]`."""
import shutil
import sys
import tempfile
from pathlib import Path

import common
from common import cpu
from pipeline.runs import partitions, sizing

first = common.first_block(10_000_000)
p = first.p
chunks, empty, options = common.written_chunks(first)
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
