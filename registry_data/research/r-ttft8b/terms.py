"""Wall 7's terms at the load of every MLPerf Inference v5.1 Llama 3.1 8B Server / Interactive run (r-ttft8b/README.md).
Run by hand from the worktree root after a validation run:
`.venv/bin/python registry_data/research/r-ttft8b/terms.py DIR/validation.parquet`.

Per run (one log: its TTFT P50 and mean TPOT rows, catalog eta), at the layout the validation predicts it at (r-srvpart's
`terms.answer` / `spec_of`, the dataset's mean lengths as axes): lambda per replica, wall 7's capacity mu,
rho = lambda / mu, rho_p = lambda tau_s, the birth-death batch and its cap, the budget (the row's stated
max_num_tokens, else the profile's 8,192), d(b), the prefill of one prompt, predicted / log TTFT P50 and TPOT; then
what the log's own figures imply (no model term enters): the batch b_log = lambda (G - 1) TPOT, the tokens an iteration
carries at the log's TPOT (`iteration_tokens`), the chunks a prompt takes under the budget (`prompt_chunks`), the same
system's Offline requests/s and the Server rate's share of it (`offline_share`), and the streamed responses/s the
harness's Python response thread handles (`streamed_responses_per_s`)."""

from __future__ import annotations

import importlib.util
import math
import pathlib
import sys

import polars as pl

from pipeline.validation.predict import SPEC_INPUTS
from pipeline.validation.serving_rows import Datasets, tp_grid

_SRVPART = pathlib.Path(__file__).resolve().parent.parent / "r-srvpart" / "terms.py"
_spec = importlib.util.spec_from_file_location("srvpart_terms", _SRVPART)
srvpart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(srvpart)

MODEL = "Llama 3.1 8B"
PROFILE_BUDGET = 8192.0  # the TensorRT-LLM profile's prefill_chunk_tokens where a row states none


def iteration_tokens(rate: float, tpot_s: float, prompt: float, generated: float) -> float:
    """Tokens one iteration carries in steady state at a replica's rate and an iteration of TPOT seconds: the decode
    tokens of the b = lambda (G - 1) TPOT sequences in flight (Little's law) plus the prompts that arrive during it,
    lambda TPOT P (continuous batching prefills them in the next iteration; Yu et al. 2022, Orca)."""
    return rate * (generated - 1.0) * tpot_s + rate * tpot_s * prompt


def prompt_chunks(prompt: float, budget: float, decode_tokens: float) -> int:
    """Iterations a prompt's context takes under TensorRT-LLM's budget, the generation tokens counted first
    (MicroBatchScheduler, r-srvpart §2): ceil(P / (budget - b)), at least one token of room."""
    return math.ceil(prompt / max(budget - decode_tokens, 1.0))


def offline_share(server_rate: float, offline_tokens_per_s: float, output_len: float) -> float:
    """The Server rate as a share of the same system's Offline requests/s (tokens/s over the tokens a request
    completes): the load against what the system sustains without latency bounds (measured, not the model's mu)."""
    return server_rate / (offline_tokens_per_s / output_len)


def streamed_responses_per_s(rate: float, generated: float) -> float:
    """Streamed responses per second the harness's response thread turns into Python objects: one per generated
    token of every request (streaming on for Server / Interactive; NVIDIA's llmlib `cores/base.py` `_poll_responses`,
    `trtllm_executor_core.py` `_poll_responses_impl`)."""
    return rate * generated


def offline_rates(validation: pl.DataFrame) -> dict:
    """The measured Offline tokens/s of each v5.1 8B system (log name without the scenario)."""
    rows = validation.filter((pl.col("model") == MODEL) & (pl.col("scenario") == "offline")
                             & (pl.col("metric") == "tokens_per_s")
                             & pl.col("source_url").str.contains("inference_results_v5.1"))
    return {n.removesuffix("-offline"): (v, o) for n, v, o in rows.select("name", "measured", "output_len").rows()}


def runs(validation: pl.DataFrame) -> pl.DataFrame:
    rows = validation.filter((pl.col("model") == MODEL) & (pl.col("scenario") == "server")
                             & pl.col("request_rate").is_not_null() & pl.col("metric").is_in(["ttft_s", "itl_s"])
                             & pl.col("source_url").str.contains("inference_results_v5.1"))
    rows = rows.with_columns(system=pl.col("name").str.replace(r"-(server|interactive)(-.*)?$", ""))
    return rows.sort("line").group_by(["system", "hardware", "devices", "request_rate"], maintain_order=True).agg(
        pl.all())


def describe(run: dict, r: dict, tp: int, row: dict, load: dict, spec: dict, offline: dict) -> list[str]:
    i_ttft, i_tpot = run["metric"].index("ttft_s"), run["metric"].index("itl_s")
    replicas = r["devices"] // tp
    lam = run["request_rate"] / replicas
    g, prompt = spec["axes"]["output_len"][0], spec["axes"]["prompt_len"][0]
    budget = float(r["max_num_tokens"] or PROFILE_BUDGET)
    tpot_m, ttft_m = run["measured"][i_tpot], run["measured"][i_ttft]
    ttft, tpot = row["ttft_p50_s"], row["tpot_under_load_s"]
    b_log = lam * (g - 1) * tpot_m
    carried = iteration_tokens(lam, tpot_m, prompt, g)
    off = offline.get(run["system"])
    share = f"{offline_share(run['request_rate'], off[0], off[1] or g):.3f}" if off else "n/a"
    return [
        f"    tp {tp}, {replicas} replicas, batch cap {load['load_batch_cap']:.0f}, budget {budget:.0f}: lambda "
        f"{lam:.2f}/s, mu {row['capacity_requests_per_s']:.2f}/s, rho {row['utilization']:.3f}, rho_p "
        f"{lam * load['prefill_time_one_request_s']:.3f}, bound {row.get('bound')}",
        f"      b {row['batch_in_flight']:.1f}, d(b) {load['itl_at_load_s'] * 1e3:.1f} ms | prefill of one prompt "
        f"(P {prompt}) {load['prefill_time_alone_s'] * 1e3:.1f} ms alone, {load['prefill_time_one_request_s'] * 1e3:.1f}"
        f" at the load",
        f"      TTFT P50 {ttft * 1e3:.1f} / {ttft_m * 1e3:.1f} ms ({(ttft / ttft_m - 1) * 100:+.1f} %), TPOT "
        f"{tpot * 1e3:.1f} / {tpot_m * 1e3:.1f} ms ({(tpot / tpot_m - 1) * 100:+.1f} %); log TTFT / TPOT "
        f"{ttft_m / tpot_m:.1f}, model {ttft / tpot:.1f}",
        f"      the log's own: b_log {b_log:.0f}, tokens an iteration carries {carried:.0f} of {budget:.0f} "
        f"(chunks n {prompt_chunks(prompt, budget, b_log)}), Server rate / Offline requests/s {share}, streamed "
        f"responses {streamed_responses_per_s(run['request_rate'], g):.0f}/s per node"]


def check(path: str) -> list[str]:
    validation = pl.read_parquet(path)
    datasets = Datasets.of(srvpart.CATALOGS.workloads, srvpart.CATALOGS.models)
    offline = offline_rates(validation)
    lines = []
    for run in runs(validation).iter_rows(named=True):
        i_ttft, i_tpot = run["metric"].index("ttft_s"), run["metric"].index("itl_s")
        r = {k: run[k][i_tpot] if isinstance(run.get(k), list) else run[k] for k in SPEC_INPUTS}
        pred = run["predicted"][i_ttft]
        lines.append(f"{run['system']} ({run['hardware']} x{run['devices']}) at {run['request_rate']}/s (lines "
                     f"{run['line'][i_ttft]}, {run['line'][i_tpot]}; validation TTFT "
                     f"{pred * 1e3 if pred else float('nan'):.1f} ms)")
        for tp in [r["tp"]] if r["tp"] else tp_grid(r["devices"], 1):
            spec = srvpart.spec_of(r, datasets, tp)
            row, load = srvpart.answer(spec)
            if row is not None and row.get("tpot_under_load_s") is not None:
                lines += describe(run, r, tp, row, load, spec, offline)
                break
        else:
            lines.append("    no stable layout in the model")
    return lines


if __name__ == "__main__":
    print("\n".join(check(sys.argv[1])))
