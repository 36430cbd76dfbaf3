"""The first block's chunks of the 10 M-row serving bench written as the run writes them (one Parquet part per
accelerator, the run's options) against variants of polars' writer options: CPU s of all the writes, bytes, R rounds
alternated: `PYTHONPATH=TREE:. python write_options.py [R]`."""
import shutil
import sys
import tempfile
from pathlib import Path

import common
from common import cpu
from pipeline.runs import sizing

chunks, empty, options = common.written_chunks(common.first_block(10_000_000))
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
