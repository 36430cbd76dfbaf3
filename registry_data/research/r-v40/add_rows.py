"""MLPerf Inference v4.0 (closed, datacenter) NVIDIA rows for the measurements catalog: data no model term was tuned on.

Reads ``log_lines.csv`` (log path, line number, the line's text, copied from each run's mlperf_log_summary.txt) and
``runs.csv`` (one row per submitted system and benchmark: catalog hardware, devices, precision and layout with the
file and line that state them) and appends one row per measured figure: ResNet-50, RetinaNet, BERT-99 and GPT-J
Offline samples/s and Server completed samples/s (request_rate = the scheduled rate); Llama 2 70B Offline tokens/s,
Server tokens/s, the median TTFT and the mean TPOT (``statistic`` p50 / mean, as r-v50/add_rows.py states them).
The README beside this file gives the selection rule and what was left out.

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-v40/add_rows.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
COMMIT = "3c4a1cf196b70175cfe7c59e067cd1d923aa4f3f"
REPO = f"https://github.com/mlcommons/inference_results_v4.0/blob/{COMMIT}/"
CONFIGS = {"LLCFG": "closed/NVIDIA/configs/llama2-70b/Offline/__init__.py (github.com/mlcommons/inference_results_v4.0 "
                    "at 8121a811542bfc693e201dc55d63f580a17124e0)",
           "LLSCFG": "closed/NVIDIA/configs/llama2-70b/Server/__init__.py (github.com/mlcommons/inference_results_v4.0 "
                     "at 8121a811542bfc693e201dc55d63f580a17124e0)",
           "GJCFG": f"closed/NVIDIA/configs/gptj/Offline/__init__.py (github.com/mlcommons/inference_results_v4.0 at "
                    f"{COMMIT})"}
VERIFIED = datetime.date(2026, 12, 6)
DATASETS = {"Llama 2 70B": "OpenOrca (MLPerf llama2-70b subset, 24576 samples)",
            "GPT-J 6B": "CNN-DailyMail (MLPerf gptj, 13368 samples)",
            "ResNet-50": "ImageNet 2012 validation (224x224)",
            "RetinaNet": "OpenImages v6 MLPerf validation subset (24,576 images at 800x800)",
            "BERT-Large": "SQuAD v1.1"}
# BERT: 'The maximum sequence length parameter used is 384' (closed/NVIDIA/code/bert/tensorrt/README.md line 16)
SEQ_LEN = {"BERT-Large": 384}
# loadgen's summary line -> (metric, statistic, unit, scale to the unit); an LLM log's samples/s lines only give
# output_len, its figures are tokens/s and latencies
FIGURES = {"Tokens per second": ("tokens_per_s", None, "tok/s", 1.0),
           "Completed tokens per second": ("tokens_per_s", None, "tok/s", 1.0),
           "50.00 percentile first token latency (ns)": ("ttft_s", "p50", "ms", 1e-6),
           "Mean Time to Output Token (ns)": ("itl_s", "mean", "ms", 1e-6)}
SAMPLES = {"Samples per second": ("samples_per_s", None, "1/s", 1.0),
           "Completed samples per second": ("samples_per_s", None, "1/s", 1.0)}
SUFFIX = {"ttft_s": "-ttft-p50", "itl_s": "-tpot-mean", "tokens_per_s": "", "samples_per_s": ""}


def parsed(lines: pl.DataFrame) -> dict[str, dict[str, tuple[int, str, float]]]:
    """log -> loadgen key -> (line, text, value)."""
    out: dict[str, dict[str, tuple[int, str, float]]] = {}
    for r in lines.iter_rows(named=True):
        key, _, value = r["text"].rpartition(":")
        out.setdefault(r["log"], {})[key.strip()] = (int(r["line"]), r["text"], float(value))
    return out


def benchmark(directory: str) -> str:
    """closed/.../<system>/<benchmark>-99[.9]/... -> the benchmark (the -99 and -99.9 logs of a run are one log)."""
    return directory.removesuffix("-99.9").removesuffix("-99")


def cited(text: str) -> str:
    for key, path in CONFIGS.items():
        text = text.replace(key, path)
    return text


def note_of(log: str, stated: dict[str, tuple[int, str, float]], run: dict, llm: bool) -> str:
    _, submitter, _, system, directory, scenario, *_ = log.split("/")
    note = (f"{run['description']}, MLPerf Inference v4.0 closed datacenter ({submitter} {system}, {directory}). "
            f"Precision {run['dtype']}: {cited(run['dtype_source'])}. Framework {run['framework']}: "
            f"{cited(run['framework_source'])}.")
    if llm:
        tokens = next(stated[k] for k in ("Tokens per second", "Completed tokens per second") if k in stated)
        samples = next(stated[k] for k in ("Samples per second", "Completed samples per second") if k in stated)
        note += (f" output_len = line {tokens[0]} '{tokens[1]}' / line {samples[0]} '{samples[1]}' = "
                 f"{tokens[2] / samples[2]:.2f} tokens per sample (rounded).")
    if run["layout_source"]:
        note += f" Layout ({run['layout_scenarios']} scenario): {cited(run['layout_source'])}."
    if scenario == "Server":
        rate = stated["Scheduled samples per second"]
        limits = [stated[k] for k in ("target_latency (ns)", "ttft_latency (ns)", "tpot_latency (ns)") if k in stated]
        note += (f" MLPerf Server scenario (Poisson arrivals), scheduled {rate[2]} samples/s (log line {rate[0]}); "
                 "constraints " + ", ".join(f"'{t}' (line {n})" for n, t, _ in limits) + ".")
    return note + " One row per run: of a benchmark submitted under both accuracy targets the log the store holds is read."


def rows_of(log: str, stated: dict[str, tuple[int, str, float]], run: dict) -> list[dict]:
    _, submitter, _, system, directory, scenario, *_ = log.split("/")
    llm = any(k in stated for k in ("Tokens per second", "Completed tokens per second"))
    figures = FIGURES if llm else SAMPLES
    output_len = None
    if llm:
        tokens = next(stated[k] for k in ("Tokens per second", "Completed tokens per second") if k in stated)
        samples = next(stated[k] for k in ("Samples per second", "Completed samples per second") if k in stated)
        output_len = round(tokens[2] / samples[2])
    server = scenario == "Server"
    laid_out = scenario in (run["layout_scenarios"] or "").split()  # the file stating the layout is this scenario's
    note = note_of(log, stated, run, llm)
    base = f"mlperf-inf-v4.0-{submitter}-{system}-{directory}-{scenario}".lower()
    out = []
    for key, (line, text, value) in stated.items():
        if key not in figures:
            continue
        metric, statistic, unit, scale = figures[key]
        out.append({
            "source_url": REPO + log, "last_verified": VERIFIED, "notes": note, "source_quality": "primary",
            "name": base + SUFFIX[metric], "metric": metric, "value": round(value * scale, 6), "unit": unit,
            "model": run["model"], "hardware": run["hardware"], "devices": int(run["devices"]),
            "compute_dtype": run["dtype"], "weight_dtype": run["dtype"], "framework": run["framework"],
            "scenario": "server" if server else "offline", "output_len": output_len,
            "seq_len": SEQ_LEN.get(run["model"]),
            "tp": int(run["tp"]) if run["tp"] and laid_out else None,
            "pp": int(run["pp"]) if run["pp"] and laid_out else None, "batch": None,
            "dataset": DATASETS[run["model"]],
            "request_rate": stated["Scheduled samples per second"][2] if server else None, "statistic": statistic,
            "source_location": f"MLPerf Inference v4.0 closed, {log} line {line}: '{text}'"})
    return out


def new_rows(lines: pl.DataFrame, runs: pl.DataFrame) -> list[dict]:
    by_run = {(r["system"], r["benchmark"]): r for r in runs.iter_rows(named=True)}
    out = []
    for log, stated in parsed(lines).items():
        _, _, _, system, directory, *_ = log.split("/")
        out += rows_of(log, stated, by_run[(system, benchmark(directory))])
    return out


def main() -> None:
    measurements = read_catalog("measurements", REGISTRY)
    csv = {"infer_schema": False}
    rows = new_rows(pl.read_csv(HERE / "log_lines.csv", **csv), pl.read_csv(HERE / "runs.csv", **csv))
    known = set(measurements["name"].to_list())
    added = pl.DataFrame([r for r in rows if r["name"] not in known], infer_schema_length=None)
    print(f"{len(rows)} rows parsed, {added.height} new")
    if added.height:
        merged = pl.concat([measurements, added], how="diagonal_relaxed").select(measurements.columns)
        print(write_catalog(merged.cast(measurements.schema), "measurements", REGISTRY))


if __name__ == "__main__":
    main()
