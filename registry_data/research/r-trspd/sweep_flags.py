"""CPU seconds of ``runs.run`` on the training bench's spec (nothing queried) with the plan collected under polars'
own optimizations and under variants (``training.OPTIMIZATIONS``), alternated in one process, per-key tables let go
before each (as ``mlsys bench`` does); and whether the variant's written parts equal the default's.

    PYTHONPATH=TREE .venv/bin/python registry_data/research/r-trspd/sweep_flags.py [ROUNDS] [BATCHES]
"""
import resource
import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key, training

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
batches = int(sys.argv[2]) if len(sys.argv) > 2 else 1
VARIANTS = {"polars' own": None, "no comm_subexpr_elim": pl.QueryOptFlags(comm_subexpr_elim=False)}
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def parts(run: Path) -> pl.DataFrame:
    frame = pl.read_parquet(run / "study=training" / "*" / "*.parquet", hive_partitioning=True).drop(
        "run_id", strict=False)
    return frame.sort(KEYS)


KEYS = ["cluster", "model", "compute_dtype", "seq_len", "gpus", "dp", "tp", "microbatch", "virtual_stages",
        "zero_stage", "recompute", "sequence_parallel"]


seen, frames = {k: [] for k in VARIANTS}, {}
for r in range(rounds):
    for name, flags in VARIANTS.items():
        if flags is None:
            if hasattr(training, "OPTIMIZATIONS"):
                del training.OPTIMIZATIONS
        else:
            training.OPTIMIZATIONS = flags
        per_key.forget()
        d = Path(tempfile.mkdtemp(prefix="trspd-flags-"))
        c = cpu()
        run = runs.run(prepared, d)
        seen[name].append(cpu() - c)
        if r == 0:
            frames[name] = parts(Path(run))
        shutil.rmtree(d)
        print(f"round {r + 1} {name:24s} {seen[name][-1]:.2f} CPU s", flush=True)
base = frames["polars' own"]
for name, frame in frames.items():
    print(f"{name:24s} min {min(seen[name]):.2f} CPU s; parts equal the default's: {frame.equals(base)}")
