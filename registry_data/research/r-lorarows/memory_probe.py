"""The training study's per-GPU memory terms of named LoRA measurement rows at the row's own spec
(``pipeline.validation.predict.measurement_spec``, with the run's 8,192-token context as ``run_context`` gives
it), with extra [training] settings to try (JSON). Research only: it shows which term keeps a row from fitting.

    .venv/bin/python registry_data/research/r-lorarows/memory_probe.py NAME [NAME ...] [--set '{"fp8_params": true}']
"""

from __future__ import annotations

import json
import sys

import polars as pl

from pipeline import runs
from pipeline.api import _spec
from pipeline.validation.predict import measurement_spec

REGISTRY = "registry_data"
TERMS = ["weight_bytes_per_gpu", "gradient_bytes_per_gpu", "optimizer_bytes_per_gpu", "activation_bytes_per_gpu",
         "memory_reserve_bytes", "memory_per_gpu_bytes", "memory_limit_bytes", "memory_headroom_bytes", "step_time_s"]


def probe(name: str, extra: dict) -> None:
    m = pl.read_parquet(f"{REGISTRY}/measurements.parquet").filter(pl.col("name") == name)
    r = m.row(0, named=True)
    spec, why = measurement_spec(r)
    if spec is None:
        print(name, "->", why)
        return
    spec = {**spec, "training": {**spec.get("training", {}), **extra},
            "overrides": {"models.max_context_tokens": f"{r['seq_len']} tok"}}
    prepared = runs.prepare(_spec(spec), REGISTRY)
    frame = prepared.study.build(prepared.space).frame.collect()
    print(name, json.dumps(extra), "rows:", frame.height, "dropped:", dict(prepared.space.dropped))
    for c in (c for c in TERMS if c in frame.columns):
        v = frame[c].to_list()
        print(f"  {c}: {[None if x is None else round(x / 1e9, 2) if c != 'step_time_s' else round(x, 4) for x in v]}"
              f"{' GB' if c != 'step_time_s' else ' s'}")


if __name__ == "__main__":
    args = sys.argv[1:]
    extra = {}
    if "--set" in args:
        i = args.index("--set")
        extra = json.loads(args[i + 1])
        args = args[:i] + args[i + 2:]
    for n in args:
        probe(n, extra)
