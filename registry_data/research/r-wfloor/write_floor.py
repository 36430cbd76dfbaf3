"""The Parquet writer's floor under a study's bench: every fact part a run wrote, read back into memory, then written
again with the run's options (`partitions.parquet_options`: compression and level, statistics, row groups; the frames'
own dtypes as polars reads them back, not the run's arrow schema) with zstd, lz4 and no compression; wall and CPU s
(this process, all threads) of each pass, no computation.

    python -m pipeline bench --study S --out DIR       # then
    python registry_data/research/r-wfloor/write_floor.py DIR/<run> S
"""
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pipeline.runs.partitions import parquet_options


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(run: Path, study: str) -> None:
    parts = sorted(run.glob(f"study={study}/**/part-*.parquet"))
    frames = [pl.read_parquet(p) for p in parts]
    rows = sum(f.height for f in frames)
    print(f"{study}: {rows:,} rows x {frames[0].width} columns in {len(parts)} parts ({run})")
    out = Path(tempfile.mkdtemp(prefix="wfloor-"))
    for compression in ("zstd", "lz4", "uncompressed"):
        wall, used = time.perf_counter(), cpu()
        options = {k: v for k, v in parquet_options(None, compression).items() if k != "arrow_schema"}
        for i, frame in enumerate(frames):
            frame.write_parquet(out / f"p{i}.parquet", **options)
        wall, used = time.perf_counter() - wall, cpu() - used
        size = sum(f.stat().st_size for f in out.glob("p*.parquet"))
        print(f"  {compression}: {wall:.2f} s wall, {used:.2f} CPU s, {size / rows:.1f} B/row, "
              f"{rows / wall / 1e6:.2f} M rows/s written")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
