"""Parquet encoding cost of the extra fact columns, on the bench's rows: each chunk collected once with latency_s,
samples_per_j and bound, then written in each layout with the node parts' options (zstd level 1, null counts only),
three rounds; CPU s of this process (all threads), wall, bytes. Run from a tree: encode_cost.py"""
import os
import shutil
import resource
import sys
import tempfile
import time
from dataclasses import replace

import polars as pl

sys.path.insert(0, '.')
from pipeline import runs  # noqa: E402
from pipeline.bench import synthetic_spec  # noqa: E402
from pipeline.spec import parse_spec  # noqa: E402


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


prepared = runs.prepare(parse_spec(synthetic_spec(34, 'node'), 'bench'))
planned = replace(prepared.space, grouped_by='hardware')
base = ['model', 'workload', 'step', 'compute_dtype', 'batch', 'seq_len', 'compute_time_s', 'is_feasible']
chunks = []
for hw, _ in runs.chunks(prepared.space):
    f = prepared.study.build(planned, hw).frame.select(base + ['latency_s', 'samples_per_j', 'bound']).collect(
        optimizations=prepared.study.OPTIMIZATIONS)
    chunks.append(f.with_columns(pl.col('compute_time_s').cast(pl.Float32), pl.col('batch').cast(pl.Int64),
                                 pl.col('seq_len').cast(pl.Int64)))
enum = pl.Enum(['capacity', 'compute', 'memory', 'overhead', 'input pipeline', 'network', 'host link', 'bubble'])
layouts = {
    'fact': lambda f: f.select(base),
    'f64x2+bound': lambda f: f.with_columns(pl.col('bound').cast(pl.String).cast(enum)),
    'f32x2+bound': lambda f: f.with_columns(pl.col('latency_s', 'samples_per_j').cast(pl.Float32),
                                          pl.col('bound').cast(pl.String).cast(enum)),
    'lat64': lambda f: f.select(base + ['latency_s']),
    'bound': lambda f: f.select(base + ['bound']).with_columns(pl.col('bound').cast(pl.String).cast(enum)),
}
frames = {k: [fn(c) for c in chunks] for k, fn in layouts.items()}
d = tempfile.mkdtemp()
opts = dict(compression='zstd', compression_level=1,
            statistics={'min': False, 'max': False, 'distinct_count': False, 'null_count': True})
for rnd in range(3):
    for k, fs in frames.items():
        t, c, size = time.perf_counter(), cpu(), 0
        for i, f in enumerate(fs):
            p = f'{d}/{k}-{i}.parquet'
            f.write_parquet(p, **opts)
            size += os.path.getsize(p)
        print(rnd, f'{k:12s}', round(time.perf_counter() - t, 2), round(cpu() - c, 2), f'{size / 1e6:.0f} MB',
              f'{size / sum(x.height for x in fs):.2f} B/row', flush=True)
shutil.rmtree(d)
