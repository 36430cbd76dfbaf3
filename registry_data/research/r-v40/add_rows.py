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
import importlib.util
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
# the log-line parser and the accuracy-target folding are r-v50's (one implementation)
_SPEC = importlib.util.spec_from_file_location("add_rows_v50_for_v40", HERE.parent / "r-v50" / "add_rows.py")
V50 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(V50)
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
    return note + (" One row per run: of a benchmark submitted under both accuracy targets the log the store holds "
                   "is read.")


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
    shared = {"source_url": REPO + log, "last_verified": VERIFIED, "notes": note, "source_quality": "primary",
              "model": run["model"], "hardware": run["hardware"], "devices": int(run["devices"]),
              "framework": run["framework"], "compute_dtype": run["dtype"], "weight_dtype": run["dtype"],
              "scenario": scenario.lower(), "dataset": DATASETS[run["model"]], "seq_len": SEQ_LEN.get(run["model"]),
              "output_len": output_len, "batch": None,
              "tp": int(run["tp"]) if run["tp"] and laid_out else None,
              "pp": int(run["pp"]) if run["pp"] and laid_out else None,
              "request_rate": stated["Scheduled samples per second"][2] if server else None}
    out = []
    for key in [k for k in stated if k in figures]:
        line, text, value = stated[key]
        metric, statistic, unit, scale = figures[key]
        out.append(shared | {"name": base + SUFFIX[metric], "metric": metric, "value": round(value * scale, 6),
                             "unit": unit, "statistic": statistic,
                             "source_location": f"MLPerf Inference v4.0 closed, {log} line {line}: '{text}'"})
    return out


def new_rows(lines: pl.DataFrame, runs: pl.DataFrame) -> list[dict]:
    """One list of catalog rows from every log in ``lines``, each with its system x benchmark's ``runs`` row."""
    by_run = {(r["system"], r["benchmark"]): r for r in runs.iter_rows(named=True)}
    return [row for log, stated in V50.parsed(lines).items()
            for row in rows_of(log, stated, by_run[(log.split("/")[3], V50.benchmark(log.split("/")[4]))])]


def main() -> None:
    measurements = read_catalog("measurements", REGISTRY)
    read = {"infer_schema": False}
    rows = pl.DataFrame(new_rows(pl.read_csv(HERE / "log_lines.csv", **read), pl.read_csv(HERE / "runs.csv", **read)),
                        infer_schema_length=None)
    added = rows.join(measurements.select("name"), on="name", how="anti")  # names already present are skipped
    print(f"{rows.height} rows parsed, {added.height} new")
    if added.height:
        merged = pl.concat([measurements, added], how="diagonal_relaxed").select(measurements.columns)
        print(write_catalog(merged.cast(measurements.schema), "measurements", REGISTRY))


if __name__ == "__main__":
    main()
