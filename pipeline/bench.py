"""``mlsys bench``: sweep a synthetic spec of >= N configurations end to end and report speed.

The spec is the bundled catalogs with long batch and sequence-length axes (every
accelerator x model x precision x workload), sized to reach the requested row count.
Reports rows written per second (Parquet included), compute-only rows per second
(every column evaluated and reduced, nothing written) and the process's peak RSS.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from pipeline import runs
from pipeline.spec import parse_spec

SEQ_LENS = [128, 256, 512, 1024, 2048, 4096]


def synthetic_spec(batches: int, study: str = "node") -> dict:
    if study == "training":  # every cluster x decoder x layout; `batches` global batch sizes
        return {"study": "training", "axes": {
            "cluster": "all", "model": "all", "compute_dtype": ["bf16", "fp8"], "seq_len": [2048, 8192],
            "gpus": [8, 64, 512, 4096], "tp": [1, 2, 4, 8], "pp": [1, 2, 4, 8], "microbatch": [1, 2],
            "global_batch": [512 * (i + 1) for i in range(batches)], "recompute": ["none", "selective", "full"],
            "zero_stage": [0, 1, 3], "virtual_stages": [1, 2], "sequence_parallel": [True, False]}}
    if study == "serving":
        return {"study": "serving", "axes": {
            "hardware": "all", "model": "all", "precision": ["fp16", "bf16", "fp8"], "tp": [1, 2, 4, 8],
            "pp": [1, 2], "batch": list(range(1, batches + 1)), "prompt_len": SEQ_LENS, "output_len": [128, 512]}}
    return {"axes": {"hardware": "all", "model": "all",
                     "compute_dtype": ["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4"],
                     "batch": list(range(1, batches + 1)), "seq_len": SEQ_LENS,
                     "workload": ["inference", "training"]}}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_benchmark(target_rows: int, out: Path | None = None, study: str = "node") -> Iterator[str]:
    probe = runs.prepare(parse_spec(synthetic_spec(1, study), "bench"))
    batches = max(1, -(-target_rows // max(probe.rows, 1)))
    prepared = runs.prepare(parse_spec(synthetic_spec(batches, study), "bench"))
    yield f"synthetic {study} spec: {prepared.rows:,} configurations ({batches} batch sizes)"

    started = time.perf_counter()
    for hw_slice, _estimate in runs.chunks(prepared.space):
        prepared.study.build(prepared.space, hw_slice).frame.select(pl.all().max()).collect()
    compute_s = time.perf_counter() - started
    yield f"compute only:  {prepared.rows:,} rows in {compute_s:.2f} s = {prepared.rows / compute_s:,.0f} rows/s"

    scratch = Path(tempfile.mkdtemp(prefix="mlsys-bench-")) if out is None else Path(out)
    try:
        started = time.perf_counter()
        run_dir = runs.run(prepared, scratch)
        write_s = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (run_dir / study).glob("*.parquet"))
        yield (f"end to end:    {prepared.rows:,} rows in {write_s:.2f} s = {prepared.rows / write_s:,.0f} "
               f"rows/s written ({size / 1e6:,.0f} MB Parquet)")
    finally:
        if out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    yield f"peak RSS:      {_peak_rss_mb():,.0f} MB"
