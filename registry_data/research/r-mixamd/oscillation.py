"""Wall 7 on one Mixtral 8x7B MI325X TP1 replica of the AMD MLPerf v5.1 Server run (8 replicas, 420.16 samples/s,
144 output tokens, vLLM with 10 scheduler steps) at each count of the prompts-per-iteration fixed point's steps
(``serving_load.LOAD_ITERATIONS``, 6 as shipped) and at rates up to the run's (run by hand, not a test:
`.venv/bin/python registry_data/research/r-mixamd/oscillation.py` from the repository; with the patch applied the
steps no longer matter)."""

from __future__ import annotations

from pipeline import api
from pipeline.runs import prepared
from pipeline.studies import serving


def wall7(rate: float | None, iterations: int = serving.LOAD_ITERATIONS, batch: int = 512) -> dict:
    axes = {"model": ["Mixtral 8x7B"], "hardware": ["MI325X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [1], "pp": [1], "ep": [1], "batch": [batch],
            "dataset": ["mlperf-mixtral-8x7b-mix"]}
    if rate is not None:
        axes |= {"request_rate": [rate], "replicas": [8]}
    spec = {"study": "serving", "axes": axes, "efficiency": {"framework": "vLLM"}, "serving": {"scheduler_steps": 10},
            "overrides": {"workloads.output_tokens_mean": "144 tok"}}
    p = prepared.prepare(api._spec(spec))
    return serving.build(p.space, load_iterations=iterations).frame.collect().row(0, named=True)


if __name__ == "__main__":
    one = wall7(None, batch=1)
    print(f"one prompt alone: TTFT {one['ttft_s'] * 1e3:.1f} ms ({one['ttft_bound']})")
    for rate in (300.0, 350.0, 380.0, 400.0, 420.16):
        r = wall7(rate)
        print(f"{rate:7.2f}/s: stable {r['is_stable']}, utilization {r['utilization']:.3f}, capacity "
              f"{r['capacity_requests_per_s'] * 8:.1f}/s, TTFT mean {r['ttft_mean_s']}, TPOT {r['tpot_under_load_s']}")
    for k in (3, 4, 5, 6, 7, 8, 12):
        r = wall7(420.16, k)
        print(f"{k:2d} steps: stable {r['is_stable']}, TTFT mean {r['ttft_mean_s']}, TPOT {r['tpot_under_load_s']}")
