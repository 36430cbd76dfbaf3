"""The MLPerf Inference TensorRT-LLM Llama 2 70B Server rows on Hopper (H100 SXM / NVL, H200 SXM / NVL), v4.0 to
v5.1: what the measured TPOT / TTFT imply for each replica against wall 7 (run by hand from the worktree root:
`.venv/bin/python registry_data/research/r-hopsrv/diagnose.py VALIDATION.parquet [OUT.csv]`; README sections 1-2).

Per Server run (its TPOT-mean row under a request rate, the TTFT-P50 row and the same system's Offline tokens/s row,
paired by round, submitter, accelerator, GPU count and the longest common name):
- lambda per replica = the scheduled rate x tp x pp / GPUs; G = the log's own output tokens per sample (the row's
  output_len; the workload's mean is 294.45, registry_data/workloads.parquet mlperf-llama2-70b-openorca).
- N = lambda (TTFT + (G - 1) TPOT): Little's law on the log's own means (TTFT: the P50 the catalog holds; the
  mean is longer, and (G - 1) TPOT is ~99 % of the sum), the requests one replica holds; N_dec = lambda (G - 1)
  TPOT those decoding.
- The model (the validation's spec for the row, `serving_rows.serving_spec`, catalog eta; tp 2 where the row states
  none, as the validation takes it): its capacity mu (`capacity_requests_per_s`), rho = lambda / mu, its own batch
  in flight b and TPOT / TTFT there; its decode round d(N_dec) at the log's batch; the prompt price tau (wall 7's
  `prefill_time_one_request_s` / pp) and the prefill share rho_p = lambda tau; wall 7's own TPOT at N_dec,
  d / (1 - rho_p) + rho_p tau / ((1 - rho_p)^2 (G - 1)) (serving_load.next_load_batch); the log's decode step
  net of the model's prefill share, TPOT_log (1 - rho_p), beside d(N_dec).
- Capacity: the measured Offline tokens/s per replica over G (requests/s the system sustains with no latency bound)
  against lambda (the Server run's share of it) and against mu (the model's over-estimate of the Server capacity).
- k*: the capacity factor that makes wall 7 reproduce the log. A replica whose every time is k x the model's has
  TPOT_k(lambda) = k TPOT_1(k lambda) (a change of time unit; r-h70sat 2.2), so k* solves k TPOT_1(k lambda) =
  TPOT_log on a grid of k (the first k from 1 where it is reached; the same for TTFT). lambda*: the model's own rate
  at which its TPOT reaches TPOT_log (lambda* / lambda: how far the model's knee sits beyond the run's).
"""

from __future__ import annotations

import csv
import os
import re
import sys

import polars as pl

import pipeline.studies.serving as serving
from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.serving_rows import Datasets, serving_spec
from pipeline.walls.registries import SERVING

CATALOGS = load_catalogs()
DATASETS = Datasets.of(CATALOGS.workloads, CATALOGS.models)
PROMPT = 222  # OpenOrca mean input 222.33 tokens (registry_data/workloads.parquet)
KS = [1.0 + 0.01 * i for i in range(0, 101)]  # k = 1.00 .. 2.00


def rows(validation: str) -> list[dict]:
    """Every TensorRT-LLM Llama 2 70B Server TPOT-mean row on Hopper under a request rate, with its TTFT and Offline
    rows (measured, predicted)."""
    v = pl.read_parquet(validation)
    llama = v.filter((pl.col("model") == "Llama 2 70B") & pl.col("hardware").str.contains("H100|H200")
                     & (pl.col("framework") == "TensorRT-LLM") & pl.col("name").str.starts_with("mlperf-inf-"))
    tpot = llama.filter((pl.col("metric") == "itl_s") & (pl.col("scenario") == "server")
                        & pl.col("request_rate").is_not_null()).to_dicts()
    ttft = {r["name"]: r for r in llama.filter(pl.col("metric") == "ttft_s").to_dicts()}
    offline = llama.filter((pl.col("scenario") == "offline") & (pl.col("metric") == "tokens_per_s")).to_dicts()
    out = []
    for r in tpot:
        stem = re.sub(r"-tpot(-mean)?$", "", r["name"])
        t = next((x for n, x in ttft.items() if re.sub(r"-ttft(-p50)?$", "", n) == stem), None)
        same = [o for o in offline if o["name"].split("-")[2:4] == r["name"].split("-")[2:4]
                and o["hardware"] == r["hardware"] and o["devices"] == r["devices"]]
        o = max(same, key=lambda x: len(os.path.commonprefix([x["name"], r["name"]])), default=None)
        out.append({"tpot": r, "ttft": t, "offline": o})
    return out


def run(row: dict, rate: float) -> tuple[dict, dict]:
    """The validation's serving spec for ``row`` at per-system rate ``rate``: the model's row and wall 7's inputs,
    with the decode round as a function of the batch (`decode_at`)."""
    r = dict(row) | {"request_rate": rate, "tp": layout(row), "pp": row["pp"] or 1}
    spec, reason = serving_spec(r, DATASETS)
    if spec is None:
        raise ValueError(f"{row['name']}: {reason}")
    # `single.answer` takes no named dataset: the workload's mean prompt and the run's own output as lengths
    del spec["axes"]["dataset"]
    spec.pop("overrides", None)
    spec["axes"] |= {"prompt_len": [PROMPT], "output_len": [r["output_len"]]}
    seen: dict = {}
    original = serving.under_load_values

    def keep(values: dict, units: dict, *args) -> dict:
        seen.update(original(values, units, *args))
        at = formulas.compile_scalar(units, ["decode_pass_time_s"], formulas.REGISTRY | SERVING, rebind={"batch": "_b"})
        seen["decode_at"] = lambda b: at(values | {"_b": b})["decode_pass_time_s"]
        return {k: v for k, v in seen.items() if k != "decode_at"}

    serving.under_load_values = keep
    try:
        found = single.answer(parse_spec(spec, "r-hopsrv"), CATALOGS)
        return found.rows[0], seen
    finally:
        serving.under_load_values = original


def layout(row: dict) -> int:
    """The row's tp, or where it states none the smallest of 1, 2 the model finds feasible (the validation's rule for
    a latency row, `serving_rows.tp_grid`)."""
    if row["tp"]:
        return row["tp"]
    return 1 if run(row | {"tp": 1}, row["request_rate"])[0]["is_feasible"] else 2


def scaled(row: dict, rate: float, k: float) -> tuple[float | None, float | None]:
    """k x the model's TPOT and TTFT P50 at k x rate: the model with its capacity divided by k."""
    x = run(row, rate * k)[0]
    return tuple(None if x[c] is None else k * x[c] for c in ("tpot_under_load_s", "ttft_p50_s"))


def first_k(row: dict, rate: float, measured: float, column: str) -> float | None:
    """The smallest k on the grid with k x the model's ``column`` at k x rate >= the measured value."""
    for k in KS:
        x = run(row, rate * k)[0][column]
        if x is not None and k * x >= measured:
            return k
    return None


def knee_rate(row: dict, rate: float, measured: float) -> float | None:
    """lambda* / lambda: the smallest factor f on the grid where the model's own TPOT at f x rate reaches the log's."""
    for f in KS:
        x = run(row, rate * f)[0]["tpot_under_load_s"]
        if x is None or x >= measured:
            return f
    return None


def diagnose(pair: dict) -> dict:
    r, t, o = pair["tpot"], pair["ttft"], pair["offline"]
    tp, pp = layout(r), r["pp"] or 1
    replicas = r["devices"] // (tp * pp)
    lam, g = r["request_rate"] / replicas, r["output_len"]
    tpot, ttft = r["measured"], (t["measured"] if t else None)
    model, load = run(r, r["request_rate"])
    n_dec = lam * (g - 1) * tpot
    n_all = lam * ((ttft or 0.0) + (g - 1) * tpot)
    tau = load["prefill_time_one_request_s"] / pp
    rho_p = lam * tau
    d = load["decode_at"](n_dec)
    at_n = d / (1.0 - rho_p) + rho_p * tau / ((1.0 - rho_p) ** 2 * (g - 1))
    mu = model["capacity_requests_per_s"]
    off_meas = o["measured"] / replicas / g if o else None  # requests/s per replica the Offline run sustained
    off_err = (o["predicted"] / o["measured"] - 1) * 100 if o and o["predicted"] else None
    return {
        "row": r["name"], "hardware": r["hardware"], "gpus": r["devices"], "tp": tp, "pp": pp,
        "tp_stated": r["tp"] is not None, "cap": r["batch"], "max_num_tokens": r["max_num_tokens"],
        "lambda": lam, "G": g, "tpot_log_ms": tpot * 1e3, "ttft_log_ms": ttft * 1e3 if ttft else None,
        "tpot_err": (model["tpot_under_load_s"] / tpot - 1) * 100 if model["tpot_under_load_s"] else None,
        "tpot_err_validation": (r["predicted"] / tpot - 1) * 100 if r["predicted"] else None,
        "ttft_err": (model["ttft_p50_s"] / ttft - 1) * 100 if ttft and model["ttft_p50_s"] else None,
        "N": n_all, "N_dec": n_dec, "b_model": model["batch_in_flight"], "kv_cap": load["load_batch_cap"],
        "mu": mu, "rho": lam / mu, "tau_ms": tau * 1e3, "rho_p": rho_p, "d_N_ms": d * 1e3,
        "d_log_net_ms": tpot * (1 - rho_p) * 1e3, "tpot_at_N_ms": at_n * 1e3, "tpot_at_N_err": (at_n / tpot - 1) * 100,
        "d_cap_ms": load["itl_at_batch_cap_s"] * 1e3, "offline_err": off_err,
        "offline_req_s": off_meas, "server_over_offline": lam / off_meas if off_meas else None,
        "mu_over_offline": mu / off_meas if off_meas else None,
        "k_tpot": first_k(r, r["request_rate"], tpot, "tpot_under_load_s"),
        "k_ttft": first_k(r, r["request_rate"], ttft, "ttft_p50_s") if ttft else None,
        "knee": knee_rate(r, r["request_rate"], tpot),
    } | at_offline(r, o, tpot, ttft) | at_k_tpot(r, tpot, ttft)


def at_k_tpot(r: dict, tpot: float, ttft: float | None) -> dict:
    """The log's TTFT P50 in iterations (TTFT / TPOT), and the model's TTFT error where its TPOT is matched (k*)."""
    k = first_k(r, r["request_rate"], tpot, "tpot_under_load_s")
    f = scaled(r, r["request_rate"], k)[1] if k else None
    return {"ttft_in_tpots": ttft / tpot if ttft else None,
            "ttft_err_at_k_tpot": None if f is None or not ttft else (f / ttft - 1) * 100}


def at_offline(r: dict, o: dict | None, tpot: float, ttft: float | None) -> dict:
    """The model's TPOT / TTFT errors with its capacity divided by its own Offline over-estimate (k = predicted /
    measured Offline tokens/s of the same system), and at k*_TPOT."""
    if not o or not o["predicted"]:
        return {"k_offline": None, "tpot_err_k_offline": None, "ttft_err_k_offline": None}
    k = o["predicted"] / o["measured"]
    t, f = scaled(r, r["request_rate"], k)
    return {"k_offline": k, "tpot_err_k_offline": None if t is None else (t / tpot - 1) * 100,
            "ttft_err_k_offline": None if f is None or not ttft else (f / ttft - 1) * 100}


def fmt(x, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def table(out: list[dict]) -> list[str]:
    head = ("| run | tp x pp, cap | lambda/s | G | log TPOT / TTFT ms | model err TPOT / TTFT % | N (N_dec) | "
            "model b | mu/s, rho | tau ms, rho_p | d(N_dec) ms | log net of rho_p ms | model TPOT at N_dec ms (err %) "
            "| Offline err % | lambda / Offline | mu / Offline | k* TPOT / TTFT | lambda*/lambda "
            "| err TPOT / TTFT % at k = Offline ratio | log TTFT / TPOT | TTFT err % at k* TPOT |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for x in out:
        name = x["row"].replace("mlperf-inf-", "").replace("-llama2-70b", "")[:60]
        lines.append(
            f"| {name} | {x['tp']}x{x['pp']}{'' if x['tp_stated'] else '?'}, {fmt(x['cap'], 'd')} | "
            f"{x['lambda']:.2f} | {x['G']} | {x['tpot_log_ms']:.0f} / {fmt(x['ttft_log_ms'], '.0f')} | "
            f"{fmt(x['tpot_err'], '+.0f')} / {fmt(x['ttft_err'], '+.0f')} | {x['N']:.0f} ({x['N_dec']:.0f}) | "
            f"{fmt(x['b_model'], '.0f')} | {x['mu']:.2f}, {x['rho']:.2f} | {x['tau_ms']:.1f}, {x['rho_p']:.2f} | "
            f"{x['d_N_ms']:.1f} | {x['d_log_net_ms']:.1f} | {x['tpot_at_N_ms']:.0f} ({x['tpot_at_N_err']:+.0f}) | "
            f"{fmt(x['offline_err'], '+.1f')} | {fmt(x['server_over_offline'], '.2f')} | "
            f"{fmt(x['mu_over_offline'], '.2f')} | {fmt(x['k_tpot'], '.2f')} / {fmt(x['k_ttft'], '.2f')} | "
            f"{fmt(x['knee'], '.2f')} | {fmt(x['tpot_err_k_offline'], '+.0f')} / "
            f"{fmt(x['ttft_err_k_offline'], '+.0f')} | {fmt(x['ttft_in_tpots'], '.1f')} | "
            f"{fmt(x['ttft_err_at_k_tpot'], '+.0f')} |")
    return lines


if __name__ == "__main__":
    results = sorted((diagnose(p) for p in rows(sys.argv[1])), key=lambda x: x["row"])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(results[0]))
            w.writeheader()
            w.writerows(results)
    print("\n".join(table(results)))
