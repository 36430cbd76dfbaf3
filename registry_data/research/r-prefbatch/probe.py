"""Wall 7 on one Mixtral 8x7B MI325X TP1 replica of AMD's MLPerf v5.1 Server run (8 replicas, 420.16 samples/s by
default, the mix's 427 / 144 mean lengths, vLLM, 10 scheduler steps) at a batch cap and a prefill token budget:
the plan's row, its load and stability columns printed (run by hand:
`.venv/bin/python registry_data/research/r-prefbatch/probe.py [RATE] [BUDGET] [BATCH]`; BUDGET absent: the vLLM
profile's 8,192; BATCH absent: 2,560, the run's max_num_seqs)."""

from __future__ import annotations

import sys
from functools import cache

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving


@cache
def catalogs():
    return load_catalogs()


def wall7(rate: float, budget: int | None = None, iterations: int = serving.LOAD_ITERATIONS,
          batch: int = 2560, steps: int = 10) -> dict:
    axes = {"model": ["Mixtral 8x7B"], "hardware": ["MI325X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [1], "pp": [1], "ep": [1], "batch": [batch],
            "dataset": ["mlperf-mixtral-8x7b-mix"], "request_rate": [rate], "replicas": [8]}
    knobs = {"scheduler_steps": steps} | ({"prefill_chunk_tokens": budget} if budget else {})
    spec = parse_spec({"study": "serving", "axes": axes, "efficiency": {"framework": "vLLM"}, "serving": knobs},
                      "probe")
    return serving.build(serving.build_space(catalogs(), spec), load_iterations=iterations).frame.collect().row(
        0, named=True)


if __name__ == "__main__":
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 420.16
    budget = int(sys.argv[2]) if len(sys.argv) > 2 else None
    r = wall7(rate, budget, batch=int(sys.argv[3]) if len(sys.argv) > 3 else 2560)
    keys = sorted(k for k in r if k.startswith(("load_", "capacity", "util", "is_stable", "ttft_mean", "tpot_under",
                                                "batch_in_flight", "prefill_batch")))
    for k in keys:
        print(f"{k:40s} {r[k]}")
