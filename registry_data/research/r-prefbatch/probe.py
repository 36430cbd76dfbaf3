"""Wall 7's load fixed point on one Mixtral 8x7B MI325X TP1 replica of AMD's MLPerf v5.1 Server run (8 replicas,
420.16 samples/s, 144 output tokens, vLLM, 10 scheduler steps): every step's prompts per iteration, prompt price
and batch, the budget-filling price and the stability terms (run by hand:
`.venv/bin/python registry_data/research/r-prefbatch/probe.py [RATE] [BUDGET]`)."""

from __future__ import annotations

import sys

from pipeline import api
from pipeline.runs import prepared
from pipeline.studies import serving


def wall7(rate: float, budget: float | None = None, iterations: int = serving.LOAD_ITERATIONS,
          batch: int = 2560) -> dict:
    axes = {"model": ["Mixtral 8x7B"], "hardware": ["MI325X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [1], "pp": [1], "ep": [1], "batch": [batch],
            "dataset": ["mlperf-mixtral-8x7b-mix"], "request_rate": [rate], "replicas": [8]}
    knobs = {"scheduler_steps": 10} | ({"prefill_chunk_tokens": budget} if budget else {})
    spec = {"study": "serving", "axes": axes, "efficiency": {"framework": "vLLM"}, "serving": knobs}
    p = prepared.prepare(api._spec(spec))
    return serving.build(p.space, load_iterations=iterations).frame.collect().row(0, named=True)


if __name__ == "__main__":
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 420.16
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else None
    r = wall7(rate, budget)
    keys = sorted(k for k in r if k.startswith(("prompt", "load_", "prefill_", "decode_pass", "capacity", "util",
                                                "is_stable", "ttft_mean", "tpot_under", "itl_at", "prefill_pass")))
    for k in keys:
        print(f"{k:40s} {r[k]}")
