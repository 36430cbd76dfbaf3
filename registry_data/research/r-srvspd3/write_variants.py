"""The parts' Parquet write by writer and settings: the bench spec's typed chunks collected once, then each chunk's
accelerators written as the run writes them (``partitions.write_parts``' slices) under each variant, alternated, N
rounds (3); prints per variant the median CPU s of the 7 chunks' writes and the bytes.
`PYTHONPATH=TREE python write_variants.py [N] [VARIANT ...]`."""
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import common
from common import cpu
from pipeline.runs import sizing

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3
p, chunks, options = common.chunks()
schema = options["arrow_schema"]
floats = [f.name for f in schema if pa.types.is_floating(f.type)]
keys = [f.name for f in schema if f.name not in floats]


def polars(**change):
    o = options | change
    return lambda part, path: part.write_parquet(path, **o)


def arrow(dictionary=None, stats=None, split=False, level=1, codec="zstd", page=None, **kw):
    """pyarrow's writer on the part's Arrow table (its schema the run's: units in the field metadata)."""
    def write(part, path):
        table = pa.Table.from_batches(part.to_arrow().to_batches(), schema)
        pq.write_table(table, path, compression=codec, compression_level=level,
                       use_dictionary=keys if dictionary is None else dictionary,
                       write_statistics=True if stats is None else stats,
                       column_encoding={c: "BYTE_STREAM_SPLIT" for c in floats} if split else None,
                       row_group_size=options["row_group_size"], data_page_size=page, **kw)
    return write


VARIANTS = {
    "polars": polars(),
    "polars-nostats": polars(statistics=False),
    "polars-lz4": polars(compression="lz4", compression_level=None),
    "polars-page4M": polars(data_page_size=4 << 20),
    "polars-page256k": polars(data_page_size=256 << 10),
    "polars-minmax": polars(statistics={"min": True, "max": True, "null_count": False}),
    "polars-nullcount": polars(statistics={"min": False, "max": False, "null_count": True}),
    "polars-lz4-page4M": polars(compression="lz4", compression_level=None, data_page_size=4 << 20),
    "polars-uncompressed": polars(compression="uncompressed", compression_level=None),
    "arrow-all-dict": arrow(dictionary=True),
    "arrow-keys-dict": arrow(),
    "arrow-keys-dict-keystats": arrow(stats=keys),
    "arrow-bss": arrow(split=True),
    "arrow-bss-keystats": arrow(split=True, stats=keys),
}
names = sys.argv[2:] or list(VARIANTS)


def write_all(write):
    d = Path(tempfile.mkdtemp(prefix="wv-"))
    c = cpu()
    for i, rows in enumerate(chunks):
        for start, length in sizing.runs_of(rows.get_column("hardware")):
            write(rows.slice(start, length).drop("hardware"), d / f"{i}-{start}.parquet")
    t = cpu() - c
    size = sum(f.stat().st_size for f in d.glob("*.parquet"))
    shutil.rmtree(d)
    return t, size


res = {n: [] for n in names}
sizes = {}
for _ in range(N):
    for n in names:
        t, sizes[n] = write_all(VARIANTS[n])
        res[n].append(t)
rows = sum(c.height for c in chunks)
print(f"{rows:,} rows, {len(chunks)} chunks")
for n in names:
    print(f"  {n:28s} {statistics.median(res[n]):.3f} CPU s ({' '.join(f'{t:.3f}' for t in res[n])}), "
          f"{sizes[n] / 1e6:.1f} MB, {sizes[n] / rows:.1f} B/row")
