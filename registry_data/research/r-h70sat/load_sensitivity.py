"""How wall 7's Server TPOT / TTFT answer an error in the replica's capacity, on the H100 Llama 2 70B Server runs of
v4.0 / v4.1 (TP2) and v5.1 (TP1 x PP2) (run by hand from the worktree root:
`.venv/bin/python registry_data/research/r-h70sat/load_sensitivity.py`; r-h70sat/README.md section 2).

A replica whose every time term is k times the model's (capacity 1/k of the model's) at rate lambda has, by a change
of time unit, TPOT_k(lambda) = k TPOT_1(k lambda) and TTFT_k(lambda) = k TTFT_1(k lambda): so the model's answer at
k lambda, times k, is what it would say with its capacity k times lower. Per run and engine cap (the model's 4096
ceiling, capped further by the paged KV cache, and the run's Server gpu_batch_size), for k = 1 .. 1.5: the model's
utilization rho = k lambda / mu, its batch in flight b, k TPOT and k TTFT P50, beside the log (Little's law batch
b_log = lambda (G - 1) TPOT_log)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "r-srvq"))
from saturation_check import answer  # noqa: E402

R40 = "mlcommons/inference_results_v4.0 closed/NVIDIA/results/"
R41 = "mlcommons/inference_results_v4.1@198fc467 closed/NVIDIA/results/"
R51 = "mlcommons/inference_results_v5.1@965182b0 closed/Cisco/results/"
# name: hardware, tp, pp, GPUs, scheduled samples/s, generated tokens per sample, mean TPOT s, P50 TTFT s,
# Server gpu_batch_size of the run's config (README section 1), the catalog row's source
SYSTEMS = {
    "NVIDIA v4.1 DGX H100 x8 (TP2)": ("H100 SXM5 80GB", 2, 1, 8, 75.10, 291, 0.154960, 0.272955, 1024,
                                      R41 + "DGX-H100_H100-SXM-80GBx8_TRT/llama2-70b-99/Server"),
    "NVIDIA v4.0 DGX H100 x8 (TP2)": ("H100 SXM5 80GB", 2, 1, 8, 70.98, 291, 0.136837, 0.381546, 1024,
                                      R40 + "DGX-H100_H100-SXM-80GBx8_TRT/llama2-70b-99.9/Server"),
    "Cisco v5.1 H100 x16 (PP2)": ("H100 SXM5 80GB", 1, 2, 16, 209.94, 292, 0.142464, 0.353683, 1024,
                                  R51 + "HGX-H100_H100-SXM-80GBx16_TRT/llama2-70b-99/Server"),
}
SCALES = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5)


def show(x: float | None, scale: float = 1.0) -> str:
    return "unstable" if x is None else f"{x * scale:.1f}"


def error(x: float | None, k: float, measured: float) -> str:
    return "-" if x is None else f"{(k * x / measured - 1) * 100:+.0f} %"


def check() -> list[str]:
    lines = []
    for name, (hardware, tp, pp, gpus, rate, output, tpot, ttft, server_batch, _) in SYSTEMS.items():
        lam = rate * tp * pp / gpus
        lines.append(f"{name}: lambda {lam:.2f}/s per replica; log TPOT {tpot * 1e3:.1f} ms, TTFT P50 "
                     f"{ttft * 1e3:.0f} ms, b_log {lam * (output - 1) * tpot:.0f}")
        for cap in (4096, server_batch):
            for k in SCALES:
                row, load = answer(hardware, tp, pp, output, cap, lam * k)
                t, f = row["tpot_under_load_s"], row["ttft_p50_s"]
                lines.append(
                    f"    cap {cap:4d} (KV: {load['load_batch_cap']:.0f}) k {k:.1f}: mu "
                    f"{row['capacity_requests_per_s']:.2f}/s, rho {row['utilization']:.3f}, "
                    f"b {show(row['batch_in_flight'])}, ITL(b) {load['itl_at_load_s'] * 1e3:.1f} ms, "
                    f"ITL(cap) {load['itl_at_batch_cap_s'] * 1e3:.1f} ms | "
                    f"k TPOT {show(t, k * 1e3)} ms ({error(t, k, tpot)}), k TTFT P50 {show(f, k * 1e3)} ms "
                    f"({error(f, k, ttft)})")
    return lines


def at_log() -> list[str]:
    """The model's own TPOT formula at the batch the log implies (wall 7's decode round at b_log stretched by the
    prompts' prefill share, tail_latency.tpot_under_load_s with serving_load's clustering term): whether the
    iteration time under load or the batch is what is off."""
    lines = []
    for name, (hardware, tp, pp, gpus, rate, output, tpot, _, _, _) in SYSTEMS.items():
        lam = rate * tp * pp / gpus
        row, load = answer(hardware, tp, pp, output, 4096, lam)
        tau = load["prefill_time_one_request_s"] / pp  # wall 7's tau_s (r-srvq/saturation_check.py)
        b_log, rho_p = lam * (output - 1) * tpot, lam * tau
        itl = load["decode_at"](b_log)
        model = itl / (1.0 - rho_p) + rho_p * tau / ((1.0 - rho_p) ** 2 * (output - 1))
        lines.append(f"{name}: b_log {b_log:.0f}, prompt price {tau * 1e3:.1f} ms, rho_p {rho_p:.3f}, decode round "
                     f"at b_log {itl * 1e3:.1f} ms, TPOT there {model * 1e3:.1f} ms against the log's "
                     f"{tpot * 1e3:.1f} ({(model / tpot - 1) * 100:+.0f} %)")
    return lines


if __name__ == "__main__":
    print("\n".join(check() + at_log()))
