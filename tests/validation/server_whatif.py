"""What wall 7 says of the H200 Llama 2 70B MLPerf Server runs when its capacity is priced as TensorRT-LLM's in-flight
batching runs queued prompts, and its costs are put where the same system's own Offline run puts them (run by hand,
not a test: `.venv/bin/python -m tests.validation.server_whatif`). CHANGELOG.md, "what TensorRT-LLM's MLPerf Server
runs ran, against wall 7 (mlserver)".

Each system ran data-parallel TP1 replicas, one per GPU (tensor_parallelism 1 in the harness configs cited below), so
one replica takes rate / GPUs. For each: wall 7 at the catalog's efficiency, and with every cost scaled by
s = capacity / measured Offline samples/s per GPU (the same system's Offline log, not the row predicted). Scaling
every time by s is wall 7 at rate x s with its times x s (its formulas are homogeneous in time; the η grid scales
compute, memory bandwidth below 1 and memory latency alike, so this is the grid's η = 0.40 / s to first order).
``serving_load.BATCH_QUEUED_PROMPTS`` off: each arriving prompt priced as a prefill pass of its own in the capacity
(as shipped); on: a prompt's share of a budget-filling pass."""

from __future__ import annotations

import pipeline.studies.serving_load as serving_load
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single

HARDWARE, MODEL, PROMPT = "H200 SXM 141GB", "Llama 2 70B", 222  # OpenOrca mean input 222.33 (workloads catalog)
R51 = "mlcommons/inference_results_v5.1@965182b0 closed/"
R41 = "mlcommons/inference_results_v4.1@198fc467 closed/NVIDIA/"
# name: GPUs, scheduled samples/s, generated tokens per sample, mean TPOT s, P50 TTFT s, Offline samples/s (system),
# each from the row's mlperf_log_summary.txt (Server: 'Scheduled samples per second', 'Mean Time to Output Token',
# '50.00 percentile first token latency'; Offline: 'Samples per second')
SYSTEMS = {
    "NVIDIA v4.1 H200-CTS x1": (1, 14.53, 291, 0.137197, 0.223975, 15.4091,
                                R41 + "results/H200-SXM-141GB-CTSx1_TRT/llama2-70b-99/{Server,Offline}"),
    "NVIDIA v4.1 H200-CTS x8": (8, 113.70, 291, 0.156899, 0.224657, 119.706,
                                R41 + "results/H200-SXM-141GB-CTSx8_TRT/llama2-70b-99/{Server,Offline}"),
    "ASUSTeK v5.1 H200 x8": (8, 117.99, 293, 0.183313, 0.526555, 120.235,
                             R51 + "ASUSTeK/results/ESC_N8_H200-SXM-141GBx8_TRT/llama2-70b-99/{Server,Offline}"),
    "Cisco v5.1 H200 x16": (16, 228.28, 293, 0.168509, 0.275464, 235.675,
                            R51 + "Cisco/results/C885A_M8_H200_SXM_141GBx16_TRT/llama2-70b-99/{Server,Offline}"),
}


def wall7(rate: float, output: int) -> dict:
    """Wall 7 for one TP1 replica at ``rate`` requests/s (the catalog's efficiency for TensorRT-LLM)."""
    spec = {"study": "serving", "axes": {
        "model": [MODEL], "hardware": [HARDWARE], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
        "kv_dtype": ["fp8"], "tp": [1], "pp": [1], "batch": [4096], "prompt_len": [PROMPT], "output_len": [output],
        "request_rate": [rate], "replicas": [1]}, "efficiency": {"framework": "TensorRT-LLM"}}
    return single.answer(parse_spec(spec, "server what-if"), load_catalogs()).rows[0]


def report(batched: bool) -> list[str]:
    serving_load.BATCH_QUEUED_PROMPTS = batched
    serving_load._load_step.cache_clear()
    lines = []
    for name, (gpus, rate, output, tpot, ttft, offline, _) in SYSTEMS.items():
        lam, off = rate / gpus, offline / gpus
        mu = wall7(lam, output)["capacity_requests_per_s"]
        for label, s in (("catalog eta", 1.0), ("capacity = Offline", mu / off)):
            r = wall7(lam * s, output)

            def ms(x: float | None) -> str:
                return "unstable" if x is None else f"{x * s * 1e3:.0f}"

            lines.append(f"{name} [{'on' if batched else 'off'}] {label}: s {s:.3f}, capacity {mu / s:.2f}/s, "
                         f"rho {lam * s / mu:.3f}, batch {r['batch_in_flight'] or 0:.0f}, "
                         f"TPOT {ms(r['tpot_under_load_s'])} ms (measured {tpot * 1e3:.0f}), "
                         f"TTFT P50 {ms(r['ttft_p50_s'])} ms (measured {ttft * 1e3:.0f})")
    return lines


if __name__ == "__main__":
    for batched in (False, True):
        print("\n".join(report(batched)))
