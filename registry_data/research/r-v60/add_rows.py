"""MLPerf Inference v6.0 (closed, datacenter, available) rows: a held-out set the model was never shaped on.

Reads ``v60_runs.csv`` (one row per performance log collect.py kept: catalog model, hardware, devices, precision and
framework with the file and line that state them, and what the run's own config states) and ``v60_log_lines.csv``
(the log's summary lines) and appends one row per figure, as r-v50b states them: LLM Offline tokens/s, Server /
Interactive completed tokens/s with the scheduled rate, the median TTFT and the mean TPOT (``statistic`` p50 /
mean). Columns the run's config states (tp, pp, ep, max_num_tokens, kv_dtype, weight_effective_bits,
scheduler_steps; batch and adp_balancing_timeout_iters of attention-DP runs, as r-dsr1c / r-adpwait state them) are
set; kv_cache and the rest are left unstated. Of a run submitted under both accuracy
targets (-99, -99.9) the -99 log is read. A model whose dataset has no input length in the workloads catalog is
left out, each row into ``v60_rows_left_out.csv`` (GPT-OSS 120B was, until r-gptisl sourced it; GPTOSS_RUNS states
its runs' expert precision). Rows are built in the catalog's own schema (columns not stated here are null).

Sources: the results repository mlcommons/inference_results_v6.0 is not fetchable here; its files were read from a
user's upload of it, gbeezybez/inference_results_v6.0 @232fbf9. ``source_url`` is the canonical file URL,
``source_quality`` secondary, and the note names the copy read.

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-v60/add_rows.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
COPY = "gbeezybez/inference_results_v6.0 @232fbf9"
REPO = "https://github.com/mlcommons/inference_results_v6.0/blob/main/"
ROUND = "MLPerf Inference v6.0 closed datacenter ("  # every row's notes say this (errors.py and the test select by it)
VERIFIED = datetime.date(2026, 12, 7)
# the catalog's dataset names for these benchmarks (workloads.parquet names or aliases; as the v5.1 rows name them)
DATASETS = {"Llama 2 70B": "OpenOrca (MLPerf llama2-70b subset, 24576 samples)",
            "Mixtral 8x7B": "MLPerf mixtral-8x7b mix (OpenOrca, GSM8K, MBXP)",
            "Llama 3.1 405B": "MLPerf llama3.1-405b mix (LongBench, LongDataCollections, RULER, GovReport)",
            "Llama 3.1 8B": "CNN-DailyMail (MLPerf llama3.1-8b)", "DeepSeek-R1": "mlperf-deepseek-r1",
            "GPT-OSS 120B": "mlperf-gpt-oss-120b-perf"}
# loadgen's summary key -> (metric, statistic, unit, scale to the unit, name suffix)
LLM = {"Tokens per second": ("tokens_per_s", None, "tok/s", 1.0, ""),
       "Completed tokens per second": ("tokens_per_s", None, "tok/s", 1.0, ""),
       "50.00 percentile first token latency (ns)": ("ttft_s", "p50", "ms", 1e-6, "-ttft-p50"),
       "Mean Time to Output Token (ns)": ("itl_s", "mean", "ms", 1e-6, "-tpot-mean"),
       "Mean Time per Output Token (ns)": ("itl_s", "mean", "ms", 1e-6, "-tpot-mean")}
BOUNDS = ("target_latency (ns)", "ttft_latency (ns)", "tpot_latency (ns)")
# GPT-OSS 120B's measurements.json says fp4 for its MXFP4 experts; their GEMMs run at the activations' precision,
# which each run's framework or setup states (r-gptisl README). (submitter, system or None, scenario or None) ->
# columns, evidence; the first match wins.
TRTLLM_W4A8 = ("TensorRT-LLM runs MXFP4 experts at MXFP8 / FP8 activations on sm >= 100 (get_mxfp4_quant_algo, "
               "tensorrt_llm/_torch/model_config.py @008e0af8; r-gptoss README)")
QUARK = ("closed/AMD/setup/gpt-oss-120b/dataset_and_model/prepare_model.sh line 8: "
         "'MODEL=amd/gpt-oss-120b-w-mxfp4-a-fp8-Mlperf', line 31: '--quant_scheme mxfp4_fp8'")
LLMD = "closed/RedHat/src/gpt-oss-120b/setup/llm-d/"
LLMD_TP = "deploy_gptoss120b_v050.sh line 217: '--set decode.replicas=8 --set decode.parallelism.tensor=1'"
W4A16 = "vLLM's MXFP4 MoE without VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8 is W4A16, BF16 activations (r-gptoss README)"
GPTOSS_RUNS = {
    ("AMD", None, None): ({"compute_dtype": "fp8"}, QUARK),
    ("HPE", "HPE_ProLiant_XD685_MI355X_288GBx8", None): (
        {"compute_dtype": "fp8"}, QUARK.replace("closed/AMD/", "closed/HPE/")),
    ("Dell", "8xMI355X_2xEPYC_9655", None): (
        {"compute_dtype": "fp8"}, "closed/Dell/results/8xMI355X_2xEPYC_9655/gpt-oss-120b/<scenario>/README.md line 17:"
         " 'download_model_fp4.sh ... --download-prequantized', AMD's setup: " + QUARK),
    ("RedHat", "8xB200-LLM-D-Openshift", "Server"): (
        {"compute_dtype": "fp8", "kv_dtype": "fp8", "tp": 1, "max_num_tokens": 16384},
        f"{LLMD}B200/override_ms_gptoss120b_server_v050.yaml lines 7-8 '--max-num-batched-tokens 16384', 14-15 "
        "'--kv-cache-dtype fp8', 17-18 'VLLM_USE_FLASHINFER_MOE_MXFP4_MXFP8 \"1\"'; B200/" + LLMD_TP),
    ("RedHat", "8xB200-LLM-D-Openshift", "Offline"): (
        {"compute_dtype": "bf16", "tp": 1, "max_num_tokens": 8192},
        f"{LLMD}B200/override_ms_gptoss120b_offline_v050.yaml lines 7-8 '--max-num-batched-tokens 8192', no MXFP8 "
        f"variable: {W4A16}; B200/" + LLMD_TP),
    ("RedHat", "8xH200-LLM-D-Openshift", "Server"): (
        {"compute_dtype": "bf16", "tp": 1, "max_num_tokens": 2048},
        f"{LLMD}H200/override_ms_gptoss120b_server_v050.yaml lines 7-8 '--max-num-batched-tokens 2048'; Hopper: "
        f"{W4A16}; H200/" + LLMD_TP),
    ("RedHat", "8xH200-LLM-D-Openshift", "Offline"): (
        {"compute_dtype": "bf16", "tp": 1, "max_num_tokens": 8192},
        f"{LLMD}H200/override_ms_gptoss120b_offline_v050.yaml lines 7-8 '--max-num-batched-tokens 8192'; Hopper: "
        f"{W4A16}; H200/" + LLMD_TP),
}
INTEGERS = ("tp", "pp", "ep", "max_num_tokens", "scheduler_steps", "batch", "adp_balancing_timeout_iters")


def parsed(lines: pl.DataFrame) -> dict[str, dict[str, tuple[int, str, float]]]:
    """log -> loadgen key -> (line, text, value)."""
    out: dict[str, dict[str, tuple[int, str, float]]] = {}
    for r in lines.iter_rows(named=True):
        key, _, value = r["text"].rpartition(":")
        out.setdefault(r["log"], {})[key.strip()] = (int(r["line"]), r["text"], float(value))
    return out


def run_key(log: str) -> str:
    """closed/<sub>/results/<system>/<benchmark>/<scenario>/... -> one key for both accuracy targets' logs."""
    _, sub, _, system, bench, scenario, *_ = log.split("/")
    return "/".join([sub, system, bench.removesuffix("-99.9").removesuffix("-99").replace("_", "."),
                     scenario.lower()])


def rows_of(run: dict, stated: dict[str, tuple[int, str, float]]) -> list[dict]:
    log, scenario = run["log"], run["scenario"].lower()
    note = (f"{run['description']}, {ROUND}{run['submitter']} {run['system']}, {run['benchmark']}, "
            f"{run['scenario']}); read from {COPY}, an upload of the results repository. Precision {run['dtype']}: "
            f"{run['dtype_source']}. Framework {run['framework']}: {run['framework_source']}.")
    tokens = next(stated[k] for k in ("Tokens per second", "Completed tokens per second") if k in stated)
    samples = next(stated[k] for k in ("Samples per second", "Completed samples per second") if k in stated)
    output_len = round(tokens[2] / samples[2])
    note += (f" output_len = line {tokens[0]} '{tokens[1]}' / line {samples[0]} '{samples[1]}' = "
             f"{tokens[2] / samples[2]:.2f} tokens per sample (rounded).")
    if run["config_source"]:
        note += f" The run's config states: {run['config_source']}."
    if run["config_note"]:
        note += f" Config: {run['config_note']}."
    rate = None
    if scenario != "offline":
        line, text, rate = stated["Scheduled samples per second"]
        limits = [stated[k] for k in BOUNDS if k in stated]
        note += (f" MLPerf {run['scenario']} scenario (Poisson arrivals), scheduled {rate} samples/s (log line "
                 f"{line}); constraints " + ", ".join(f"'{t}' (line {n})" for n, t, _ in limits) + ".")
    base = (f"mlperf-inf-v6.0-{run['submitter']}-{run['system']}-{run['benchmark']}-{scenario}"
            .lower().replace("_", "-"))
    shared = {"source_url": REPO + log, "last_verified": VERIFIED, "notes": note, "source_quality": "secondary",
              "model": run["model"], "hardware": run["hardware"], "devices": int(run["devices"]),
              "compute_dtype": run["dtype"], "weight_dtype": run["dtype"], "framework": run["framework"],
              "scenario": "offline" if scenario == "offline" else "server", "output_len": output_len,
              "dataset": DATASETS[run["model"]], "request_rate": rate, "kv_dtype": run["kv_dtype"] or None,
              "weight_effective_bits": float(run["weight_effective_bits"]) if run["weight_effective_bits"] else None}
    shared |= {k: int(run[k]) if run[k] else None for k in INTEGERS}
    if run["model"] == "GPT-OSS 120B":
        columns, evidence = gptoss_activations(run)
        shared |= columns
        shared["notes"] += f" GPT-OSS (r-gptisl): {', '.join(f'{k} {v}' for k, v in columns.items())}: {evidence}."
    return [shared | {"name": base + suffix, "metric": metric, "value": round(value * scale, 6), "unit": unit,
                      "statistic": statistic,
                      "source_location": f"MLPerf Inference v6.0 closed, {log} line {line}: '{text}'"}
            for key, (line, text, value) in stated.items() if key in LLM
            for metric, statistic, unit, scale, suffix in [LLM[key]]]


def gptoss_activations(run: dict) -> tuple[dict, str]:
    """The columns a GPT-OSS run's framework or setup states beyond its log (GPTOSS_RUNS; TensorRT-LLM's rule
    otherwise), with the evidence."""
    for (submitter, system, scenario), stated in GPTOSS_RUNS.items():
        if run["submitter"] == submitter and system in (None, run["system"]) and scenario in (None, run["scenario"]):
            return stated
    if run["framework"] != "TensorRT-LLM":
        raise ValueError(f"v60_runs.csv: GPT-OSS run {run['log']} (framework {run['framework']}) has no stated "
                         "activation precision (add_rows.GPTOSS_RUNS)")
    return {"compute_dtype": "fp8"}, TRTLLM_W4A8


def selected(runs: pl.DataFrame) -> pl.DataFrame:
    """One log per run (of a run submitted under both accuracy targets, the -99 one)."""
    runs = runs.with_columns(key=pl.col("log").map_elements(run_key, return_dtype=pl.String),
                             target=pl.col("benchmark").str.ends_with("-99.9"))  # False (-99 or none) sorts first
    return runs.sort("key", "target").unique("key", keep="first", maintain_order=True).drop("target")


def lengthless(workloads: pl.DataFrame) -> set[str]:
    """Catalog models whose dataset (DATASETS) has no input_tokens_mean in the workloads catalog."""
    known = workloads.filter(pl.col("input_tokens_mean").is_not_null())
    names = set(known["name"]) | {a for aliases in known["aliases"].drop_nulls() for a in aliases.split(" | ")}
    return {model for model, dataset in DATASETS.items() if dataset not in names}


def merged(measurements: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``measurements`` with ``rows`` appended in its own columns and types: a column the rows do not state is
    null in them, whatever columns the catalog has by then."""
    return pl.concat([measurements, rows], how="diagonal_relaxed").select(measurements.columns).cast(
        measurements.schema)


def main(left_out: Path | None = HERE / "v60_rows_left_out.csv") -> None:
    measurements = read_catalog("measurements", REGISTRY)
    runs = selected(pl.read_csv(HERE / "v60_runs.csv", infer_schema=False))
    stated = parsed(pl.read_csv(HERE / "v60_log_lines.csv", infer_schema=False))
    rows = pl.DataFrame([row for run in runs.iter_rows(named=True) for row in rows_of(run, stated[run["log"]])],
                        infer_schema_length=None)
    missing = lengthless(read_catalog("workloads", REGISTRY))
    out = rows.filter(pl.col("model").is_in(list(missing)))
    if left_out is not None:
        out.select("name", "model", "hardware", "metric", "value", "unit", "dataset", "source_url").with_columns(
            reason=pl.format("the workloads catalog's {} states no input_tokens_mean (prompt length unsourced)",
                             "dataset")).write_csv(left_out)
    rows = rows.filter(~pl.col("model").is_in(list(missing)))
    added = rows.join(measurements.select("name"), on="name", how="anti")
    print(f"{runs.height} runs, {rows.height + out.height} rows; {out.height} left out ({sorted(missing)}); "
          f"{added.height} new")
    if added.height:
        print(write_catalog(merged(measurements, added), "measurements", REGISTRY))


if __name__ == "__main__":
    main()
