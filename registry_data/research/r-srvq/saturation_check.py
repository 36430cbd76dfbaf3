"""What wall 7 says of TensorRT-LLM's MLPerf Llama 2 70B Server runs, beside the batch their logs imply (run by hand:
`.venv/bin/python registry_data/research/r-srvq/saturation_check.py`; r-srvq/README.md).

Per replica (the runs' layouts: H200 TP1, one replica per GPU; Cisco's H100 TP1 x PP2, one per 2 GPUs; CHANGELOG
"mlserver"): the model's capacity mu, rho = lambda / mu, the prefill share rho_p = lambda tau_s, the batch in flight
b of wall 7's fixed point, its TPOT and TTFT P50; the batch the log implies, b_log = lambda (G - 1) TPOT (Little's
law on the summary's own numbers); the model's decode round at b_log and the TPOT wall 7's own formula gives there,
ITL(b_log) / (1 - rho_p) + clustering; and the decode rate b / ITL(b) at b and at the cap, whose flatness makes the
fixed point's b ill-conditioned (Little's law b = lambda G ITL(b) / (1 - rho_p) is degenerate where ITL is
proportional to b). Then the mean batch under Poisson arrivals (MLPerf's Server loadgen) is not the fluid fixed point
but the mean of the birth-death chain the batch is (arrivals lambda; completions mu(k) = k (1 - rho_p) / (G ITL(k)),
k sequences decoding, a processor-sharing server whose rate depends on k: its stationary law pi(k) ~ prod lambda /
mu(j), insensitive to the service's distribution; Kelly 1979, Reversibility and Stochastic Networks, ch. 3; beyond
the cap, k - cap queue at wall 7's capacity), and TPOT = E[k] / (lambda (G - 1)) by Little's law; both beside wall
7's discrete-event simulation of the same replica (pipeline/validation/simulate.py, 30,000 Poisson arrivals, 6,000
warm-up, prompts priced as wall 7's latency formulas price them and, `batched`, as one pass of an iteration's
prompt tokens)."""

from __future__ import annotations

import math

import pipeline.studies.serving as serving
from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.simulate import replica_from_values, simulate
from pipeline.walls.registries import SERVING

MODEL, PROMPT = "Llama 2 70B", 222  # OpenOrca mean input 222.33 (workloads catalog)
R41 = "mlcommons/inference_results_v4.1@198fc467 closed/NVIDIA/results/"
R51 = "mlcommons/inference_results_v5.1@965182b0 closed/"
# name: hardware, tp, pp, GPUs, scheduled samples/s, generated tokens per sample, mean TPOT s, P50 TTFT s, source
# (each run's Server mlperf_log_summary.txt; the H200 rows as tests/validation/server_whatif.py reads them)
SYSTEMS = {
    "NVIDIA v4.1 H200-CTS x1": ("H200 SXM 141GB", 1, 1, 1, 14.53, 291, 0.137197, 0.223975,
                                R41 + "H200-SXM-141GB-CTSx1_TRT/llama2-70b-99/Server"),
    "NVIDIA v4.1 H200-CTS x8": ("H200 SXM 141GB", 1, 1, 8, 113.70, 291, 0.156899, 0.224657,
                                R41 + "H200-SXM-141GB-CTSx8_TRT/llama2-70b-99/Server"),
    "ASUSTeK v5.1 H200 x8": ("H200 SXM 141GB", 1, 1, 8, 117.99, 293, 0.183313, 0.526555,
                             R51 + "ASUSTeK/results/ESC_N8_H200-SXM-141GBx8_TRT/llama2-70b-99/Server"),
    "Cisco v5.1 H200 x16": ("H200 SXM 141GB", 1, 1, 16, 228.28, 293, 0.168509, 0.275464,
                            R51 + "Cisco/results/C885A_M8_H200_SXM_141GBx16_TRT/llama2-70b-99/Server"),
    "Cisco v5.1 H100 x16 (PP2)": ("H100 SXM5 80GB", 1, 2, 16, 209.94, 292, 0.142464, 0.353683,
                                  R51 + "Cisco/results/HGX-H100_H100-SXM-80GBx16_TRT/llama2-70b-99/Server"),
    "Cisco v5.1 H100 x32 (PP2)": ("H100 SXM5 80GB", 1, 2, 32, 420.08, 292, 0.142012, 0.332408,
                                  R51 + "Cisco/results/HGX-H100_H100-SXM-80GBx32_TRT/llama2-70b-99/Server"),
}
CATALOGS = load_catalogs()


def answer(hardware: str, tp: int, pp: int, output: int, batch: int, rate: float) -> tuple[dict, dict]:
    """The serving study for one replica (catalog η for TensorRT-LLM), and wall 7's inputs under a rate."""
    spec = {"study": "serving", "axes": {
        "model": [MODEL], "hardware": [hardware], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
        "kv_dtype": ["fp8"], "tp": [tp], "pp": [pp], "batch": [batch], "prompt_len": [PROMPT],
        "output_len": [output], "replicas": [1], "request_rate": [rate]},
        "efficiency": {"framework": "TensorRT-LLM"}}
    seen: dict = {}
    original = serving.under_load_values

    def keep(values: dict, units: dict, *args) -> dict:
        seen.update(original(values, units, *args))
        at = formulas.compile_scalar(units, ["decode_pass_time_s"], formulas.REGISTRY | SERVING, rebind={"batch": "_b"})
        seen["decode_at"] = lambda b: at(values | {"_b": b})["decode_pass_time_s"]  # wall 7's decode round at b
        return {k: v for k, v in seen.items() if k not in ("decode_at", "found")}

    serving.under_load_values = keep
    try:
        found = single.answer(parse_spec(spec, "r-srvq"), CATALOGS)
        seen["found"] = found
        return found.rows[0], seen
    finally:
        serving.under_load_values = original


def birth_death_batch(lam: float, generated: int, rho_p: float, cap: int, decode_at, capacity: float) -> float:
    """E[min(k, cap)]: the mean sequences decoding of the birth-death chain above (those queued beyond the cap wait for
    their first token, not between tokens)."""
    log_p, logs = 0.0, [0.0]
    for k in range(1, cap + 1):
        log_p += math.log(lam * generated * decode_at(k) / (k * (1.0 - rho_p)))
        logs.append(log_p)
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    r = lam / capacity  # beyond the cap: a geometric queue at wall 7's capacity (r < 1 where wall 7 is stable)
    tail = weights[-1] * r / (1.0 - r)  # sum over j >= 1 of w_cap r^j
    mean_tail = weights[-1] * cap * r / (1.0 - r)  # decoding cap while j queue
    return (sum(k * w for k, w in enumerate(weights)) + mean_tail) / (sum(weights) + tail)


def through(points: list[tuple[float, float]]):
    """The decode round at k interpolated linearly through a few (batch, round) points: how much of the curve's
    shape E[k] reads (a closed form in wall 7 could afford ITL at a few batches, not at every k)."""
    def at(k: float) -> float:
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if k <= x1:
                return y0 + (k - x0) / (x1 - x0) * (y1 - y0)
        return points[-1][1]
    return at


def simulated(found, lam: float, batched: bool) -> tuple[float, float]:
    """Wall 7's simulation of the replica: mean TPOT and P50 TTFT."""
    replica = replica_from_values(found.inputs[0], found.units, found.registry, batched_prefill=batched)
    outcome = simulate(replica, lam, requests=30000, warmup=6000, seed=1)
    return outcome.tpot_mean_s, outcome.ttft_p50_s


def check() -> list[str]:
    lines = []
    for name, (hardware, tp, pp, gpus, rate, output, tpot, ttft, _) in SYSTEMS.items():
        lam = rate * tp * pp / gpus
        row, load = answer(hardware, tp, pp, output, 4096, lam)
        cap, b = load["load_batch_cap"], row["batch_in_flight"]
        tau = load["prefill_time_one_request_s"] / pp  # wall 7's tau_s: 80 layers, ceil(80 / pp) / 80 = 1 / pp
        b_log = lam * (output - 1) * tpot
        itl_log = load["decode_at"](b_log)  # no scheduler overhead: TensorRT-LLM's profile overlaps it
        rho_p = lam * tau
        # wall 7's TPOT formula at b_log (tail_latency.tpot_under_load_s, its clustering term as serving_load's)
        at_log = itl_log / (1.0 - rho_p) + rho_p * tau / ((1.0 - rho_p) ** 2 * (output - 1))
        itl_b = load["itl_at_load_s"]
        lines.append(
            f"{name}: lambda {lam:.2f}/s, mu {row['capacity_requests_per_s']:.2f}/s, rho {row['utilization']:.3f}, "
            f"rho_p {rho_p:.3f} | model b {b:.0f} (cap {cap:.0f}), TPOT {row['tpot_under_load_s'] * 1e3:.1f} ms, "
            f"TTFT P50 {row['ttft_p50_s'] * 1e3:.0f} ms | log b {b_log:.0f}, TPOT {tpot * 1e3:.1f}, TTFT P50 "
            f"{ttft * 1e3:.0f} | model at b_log: ITL {itl_log * 1e3:.1f} ms, TPOT {at_log * 1e3:.1f} ms "
            f"({(at_log / tpot - 1) * 100:+.1f} %) | decode rate b/ITL(b): {b / itl_b:.0f} at b, "
            f"{b_log / itl_log:.0f} at b_log, {cap / load['itl_at_batch_cap_s']:.0f} at cap tok/s")
        mean_b = birth_death_batch(lam, output, rho_p, int(cap), load["decode_at"], row["capacity_requests_per_s"])
        d, mu = load["decode_at"], row["capacity_requests_per_s"]
        few = {n: birth_death_batch(lam, output, rho_p, int(cap), through(sorted((x, d(x)) for x in xs)), mu)
               for n, xs in (("3", (1, b, cap)), ("5", (1, b / 2, b, (b + cap) / 2, cap)))}
        lines.append(f"    E[min(k, cap)] with the round interpolated through 3 batches (1, b, cap) {few['3']:.0f}, "
                     f"through 5 (1, b / 2, b, (b + cap) / 2, cap) {few['5']:.0f}")
        alone, batched = (simulated(load["found"], lam, x) for x in (False, True))
        lines.append(f"    birth-death E[min(k, cap)] {mean_b:.0f}, "
                     f"TPOT {mean_b / (lam * (output - 1)) * 1e3:.1f} ms | "
                     f"simulation TPOT / TTFT P50 {alone[0] * 1e3:.1f} / {alone[1] * 1e3:.0f} ms, batched prompts "
                     f"{batched[0] * 1e3:.1f} / {batched[1] * 1e3:.0f} ms | log {tpot * 1e3:.1f} / {ttft * 1e3:.0f} ms")
    return lines


if __name__ == "__main__":
    print("\n".join(check()))
