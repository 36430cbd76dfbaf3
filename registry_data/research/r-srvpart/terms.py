"""Wall 7's terms at the load of each MLPerf Inference v5.0 / v5.1 Server row of Llama 3.1 405B and Llama 2 70B on
B200, GB200, H200 and MI325X (r-srvpart/README.md). Run by hand from the worktree root after a validation run:
`.venv/bin/python registry_data/research/r-srvpart/terms.py DIR/validation.parquet`.

Per run (one Server log: its TTFT P50 and mean TPOT rows, catalog η): the layout wall 7 predicts it at (the row's tp,
else the smallest tp the tp grid holds whose replica fits and is stable, as `validation.serving_rows.tp_grid`
documents), per replica lambda, wall 7's capacity mu, rho = lambda / mu, rho_p = lambda tau_s, the birth-death batch
E[min(k, cap)] and the cap, the decode round d(b) at it, the prefill of one prompt (alone; as wall 7 prices it at the
load), the predicted TTFT P50 / TPOT beside the measured, and the batch Little's law implies from the log's own
figures, b_log = lambda (G - 1) TPOT (r-srvq's saturation_check.py). The spec is the validation's
(`validation.predict.measurement_spec`) with the dataset's mean lengths stated as axes (`single.answer` takes no
named dataset); the script prints the validation's own prediction beside its recomputed one as a check."""

from __future__ import annotations

import math
import sys

import polars as pl

import pipeline.studies.serving as serving
from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import Datasets, tp_grid
from pipeline.walls.registries import SERVING

MODELS = ("Llama 3.1 405B", "Llama 2 70B")
HARDWARE = ("B200 (HGX B200)", "GB200 NVL72 GPU", "H200 SXM 141GB", "MI325X")
ROUNDS = {"inference_results_v5.0": "v5.0", "inference_results_v5.1": "v5.1"}
CATALOGS = load_catalogs()


def answer(spec: dict) -> tuple[dict | None, dict]:
    """The serving study's one configuration and wall 7's inputs under its rate (r-srvq's ``answer``)."""
    seen: dict = {}
    original = serving.under_load_values

    def keep(values: dict, units: dict, *args) -> dict:
        out = original(values, units, *args)
        seen.update(out)
        at = formulas.compile_scalar(units, ["decode_pass_time_s"], formulas.REGISTRY | SERVING, rebind={"batch": "_b"})
        seen["decode_at"] = lambda b: at(values | {"_b": b})["decode_pass_time_s"]
        return out

    serving.under_load_values = keep
    try:
        found = single.answer(parse_spec(spec, "r-srvpart"), CATALOGS)
    finally:
        serving.under_load_values = original
    return (found.rows[0] if found is not None and found.rows and not found.dropped else None), seen


def runs(validation: pl.DataFrame) -> pl.DataFrame:
    """The Server TTFT P50 / mean TPOT rows in scope, one row per run (log)."""
    rows = validation.filter(pl.col("model").is_in(MODELS) & pl.col("hardware").is_in(HARDWARE)
                             & (pl.col("scenario") == "server") & pl.col("request_rate").is_not_null()
                             & pl.col("metric").is_in(["ttft_s", "itl_s"])
                             & pl.col("source_url").str.contains("inference_results_v5.[01]"))
    rows = rows.with_columns(round=pl.col("source_url").str.extract(r"(inference_results_v5\.[01])")
                             .replace_strict(ROUNDS))
    keys = ["round", "model", "hardware", "devices", "request_rate"]
    return rows.sort("line").group_by(keys, maintain_order=True).agg(pl.all())


def spec_of(r: dict, datasets: Datasets, tp: int, stated: tuple | None = None) -> dict:
    spec, reason = measurement_spec(r, datasets)
    if spec is None:
        raise ValueError(f"line {r['line']}: {reason}")
    axes = dict(spec["axes"])
    name = axes.pop("dataset", [None])[0]
    if name is not None:  # the dataset's mean lengths, the row's stated ones over them (``serving_rows.resolve``)
        means = CATALOGS.workloads.filter(pl.col("name") == name).row(0, named=True)
        axes["prompt_len"] = [r["prompt_len"] or round(means["input_tokens_mean"])]
        axes["output_len"] = [r["output_len"] or round(means["output_tokens_mean"])]
    pp = r["pp"] or 1
    out = {k: v for k, v in spec.items() if k != "overrides"}
    if stated is not None:  # the submitter's config: tp, pp, gpu_batch_size, runtime max_num_tokens
        tp, pp, axes["batch"] = stated[0], stated[1], [stated[2]]
        axes["pp"] = [pp]
        out["serving"] = out.get("serving", {}) | {"prefill_chunk_tokens": stated[3]}
    axes["tp"], axes["replicas"] = [tp], [r["devices"] // (tp * pp)]
    return out | {"axes": axes}


V51 = "mlcommons/inference_results_v5.1@965182b0 closed/"
CISCO = V51 + "Cisco/configs/llama3_1-405b/Server/__init__.py "  # NVIDIA's v5.0-style classes, (c) 2025 NVIDIA
# (round, hardware, devices, scheduled samples/s): tp, pp, gpu_batch_size, runtime max_num_tokens, source. Every row
# sets enable_chunked_context True, batch_scheduler_policy max_util, context_chunking_policy first_come_first_served.
STATED = {
    ("v5.0", "B200 (HGX B200)", 8, 1.3): (2, 2, 128, 1024, CISCO + "B200_SXM_180GB_TP2PP2x2: server_target_qps "
                                          "0.65 x 2 = 1.30, the v5.0 log's rate"),
    ("v5.0", "GB200 NVL72 GPU", 72, 13.51): (2, 2, 128, 1024, CISCO + "GB200_NVL_186GB_ARM_TP2PP2x18_Triton: 0.75 x 18"
                                             " = 13.5 (log 13.51, a Triton run); also NVIDIA/configs/GB200-NVL72_"
                                             "GB200-186GB_aarch64x72/Server/llama3_1-405b.py's Triton entry"),
    ("v5.0", "H200 SXM 141GB", 8, 0.45): (8, 1, 64, 2560, CISCO + "H200_SXM_141GBx8_TP8PP1: runtime max_batch_size "
                                          "64, qps 0.42 (log 0.45: not an exact match)"),
    ("v5.1", "B200 (HGX B200)", 8, 1.9): (4, 1, 256, 2048, V51 + "NVIDIA/configs/B200-SXM-180GBx8/Server/"
                                          "llama3_1-405b.py"),
    ("v5.1", "B200 (HGX B200)", 8, 1.15): (4, 1, 256, 1536, V51 + "NVIDIA/configs/B200-SXM-180GBx8/Interactive/"
                                           "llama3_1-405b.py (an Interactive run)"),
    ("v5.1", "GB200 NVL72 GPU", 72, 17.73): (4, 1, 256, 2048, V51 + "NVIDIA/configs/GB200-NVL72_GB200-186GB_aarch64x72"
                                             "/Server/llama3_1-405b.py"),
    ("v5.1", "GB200 NVL72 GPU", 72, 15.21): (4, 1, 2048, 1024, V51 + "NVIDIA/configs/GB200-NVL72_GB200-186GB_aarch64"
                                             "x72/Interactive/llama3_1-405b.py (an Interactive run)"),
    ("v5.1", "GB200 NVL72 GPU", 4, 0.89): (4, 1, 2048, 2048, V51 + "Azure/configs/ND_GB200_v6/Server/"
                                           "llama3_1-405b.py"),
    ("v5.1", "B200 (HGX B200)", 8, 363.79): (1, 1, 2048, 3584, V51 + "NVIDIA/configs/B200-SXM-180GBx8/Server/"
                                             "llama2-70b.py"),
    ("v5.1", "GB200 NVL72 GPU", 4, 182.04): (1, 1, 2048, 3584, V51 + "NVIDIA/configs/GB200-NVL72_GB200-186GB_aarch64x4"
                                             "/Server/llama2-70b.py"),
    ("v5.1", "H200 SXM 141GB", 8, 117.99): (1, 1, 2048, 1536, V51 + "ASUSTeK/configs/ESC_N8_H200-SXM-141GBx8/Server/"
                                            "llama2-70b.py"),
}


def idle_probability(offered: float, servers: int) -> float:
    """P0 of an M/M/c queue at offered load a = lambda tau (Erlang; Kleinrock 1975, Queueing Systems I, eq. 3.37):
    1 / (sum_{k < c} a^k / k! + a^c / (c! (1 - a / c)))."""
    if offered >= servers:
        return 0.0
    head = sum(offered ** k / math.factorial(k) for k in range(servers))
    return 1.0 / (head + offered ** servers / (math.factorial(servers) * (1.0 - offered / servers)))


def describe(run: dict, r: dict, tp: int, pp: int, row: dict, load: dict, spec: dict, budget: float) -> list[str]:
    """One layout's terms beside the log's figures, and the chunked-context what-if: a prompt of P tokens prefills in
    n = ceil(P / (budget - b)) iterations, each also running the decode round (TensorRT-LLM's MicroBatchScheduler
    counts the generation tokens first against max_num_tokens), so its first token waits (n - 1) rounds d(b) more
    than one pass of its own (r-srvpart/README.md §3)."""
    i_ttft, i_tpot = run["metric"].index("ttft_s"), run["metric"].index("itl_s")
    replicas = r["devices"] // (tp * pp)
    lam = run["request_rate"] / replicas
    g, prompt = spec["axes"]["output_len"][0], spec["axes"]["prompt_len"][0]
    tpot_m, ttft_m = run["measured"][i_tpot], run["measured"][i_ttft]
    b, d = row["batch_in_flight"], load["itl_at_load_s"]
    layers = CATALOGS.models.filter(pl.col("name") == r["model"])["n_layers"][0]
    share = math.ceil(layers / pp) / layers  # wall 7's prefill_stage_share
    rho_p = lam * load["prefill_time_one_request_s"] * share
    b_log = lam * (g - 1) * tpot_m
    chunks = math.ceil(prompt / max(budget - b, 1.0))
    ttft, tpot = row["ttft_p50_s"], row["tpot_under_load_s"]
    chunked = ttft + (chunks - 1) * d
    bubble = []
    if pp > 1:  # a lone prompt's chunks stall the other stages: it costs the pipeline all of tau, not tau / pp
        tau = load["prefill_time_one_request_s"]
        rho = lam * tau
        d_log = load["decode_at"](max(b_log, 1.0))
        whole = d_log / (1.0 - rho) + rho * tau / ((1.0 - rho) ** 2 * (g - 1)) if rho < 1 else float("inf")
        at_share = d_log / (1.0 - rho_p) + rho_p * tau * share / ((1.0 - rho_p) ** 2 * (g - 1))
        busy = 1.0 - idle_probability(rho, pp)
        bubble = [f"      at b_log: TPOT with the stage share {share:.2f} {at_share * 1e3:.1f} ms, with share 1 (a "
                  f"lone prompt's bubble) {whole * 1e3:.1f} ms; the log's {tpot_m * 1e3:.1f} ms is share "
                  f"{(1.0 - d_log / tpot_m) / rho:.2f} (rho_eff = 1 - d(b_log) / TPOT over lambda tau)",
                  f"      prompts prefilling as an M/M/{pp} queue (pp servers of tau each): busy share {busy:.3f}, "
                  f"share {busy / rho:.2f}, TPOT d(b_log) / (1 - busy) {d_log / (1.0 - busy) * 1e3:.1f} ms"]
    return [
        f"    tp {tp} x pp {pp}, {replicas} replicas, batch cap {load['load_batch_cap']:.0f}, budget {budget:.0f}: "
        f"lambda {lam:.3f}/s, mu {row['capacity_requests_per_s']:.3f}/s, rho {row['utilization']:.3f}, "
        f"rho_p {rho_p:.3f}",
        f"      b {b:.1f}, d(b) {d * 1e3:.1f} ms, d(1) {load['decode_at'](1.0) * 1e3:.1f} ms | prefill of one prompt "
        f"{load['prefill_time_alone_s'] * 1e3:.0f} ms alone, {load['prefill_time_one_request_s'] * 1e3:.0f} at the load"
        f" (stage share {share:.2f}) | b_log {b_log:.1f}, d(b_log) "
        f"{load['decode_at'](max(b_log, 1.0)) * 1e3:.1f} ms",
        f"      TTFT P50 {ttft * 1e3:.0f} / {ttft_m * 1e3:.0f} ms ({(ttft / ttft_m - 1) * 100:+.1f} %), TPOT "
        f"{tpot * 1e3:.1f} / {tpot_m * 1e3:.1f} ms ({(tpot / tpot_m - 1) * 100:+.1f} %); chunks n {chunks}: TTFT + "
        f"(n - 1) d {chunked * 1e3:.0f} ms ({(chunked / ttft_m - 1) * 100:+.1f} %)"] + bubble


def check(path: str) -> list[str]:
    validation = pl.read_parquet(path)
    datasets = Datasets.of(CATALOGS.workloads, CATALOGS.models)
    lines = []
    for run in runs(validation).iter_rows(named=True):
        i_ttft, i_tpot = run["metric"].index("ttft_s"), run["metric"].index("itl_s")
        r = {k: run[k][i_tpot] if isinstance(run.get(k), list) else run[k] for k in SPEC_INPUTS}
        key = (run["round"], run["hardware"], run["devices"], run["request_rate"])
        lines.append(f"{run['round']} {run['hardware']} x{run['devices']} {run['model']} at {run['request_rate']}/s "
                     f"(lines {run['line'][i_ttft]}, {run['line'][i_tpot]}; validation TTFT "
                     f"{run['predicted'][i_ttft] * 1e3 if run['predicted'][i_ttft] else float('nan'):.0f} ms, TPOT "
                     f"{run['predicted'][i_tpot] * 1e3 if run['predicted'][i_tpot] else float('nan'):.1f} ms)")
        pp = r["pp"] or 1
        for tp in [r["tp"]] if r["tp"] else tp_grid(r["devices"], pp):  # the validation's layout: smallest stable tp
            spec = spec_of(r, datasets, tp)
            row, load = answer(spec)
            if row is not None and row.get("tpot_under_load_s") is not None:
                lines += describe(run, r, tp, pp, row, load, spec, 8192.0)
                break
        if key in STATED:
            tp, pp, batch, budget, source = STATED[key]
            spec = spec_of(r, datasets, tp, (tp, pp, batch, budget))
            row, load = answer(spec)
            lines.append(f"    the submitter's config ({source}):")
            lines += (describe(run, r, tp, pp, row, load, spec, budget) if row and row.get("tpot_under_load_s")
                      else ["      not stable in the model"])
    return lines


if __name__ == "__main__":
    print("\n".join(check(sys.argv[1])))
