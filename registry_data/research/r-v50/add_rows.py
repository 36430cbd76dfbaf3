"""MLPerf Inference v5.0 (closed, datacenter) LLM rows for the measurements catalog: data no model term was tuned on.

Reads ``log_lines.csv`` (log path, line number, the line's text, copied from each run's mlperf_log_summary.txt) and
``runs.csv`` (one row per submitted system and benchmark: catalog hardware, devices, precision and layout with the
file and line that state them) and appends one row per measured figure: Offline tokens/s; Server tokens/s, the
median TTFT and the mean TPOT the log states (``statistic`` p50 / mean, as r-mlperf2/apply.py sets it). The README
beside this file gives the selection rule and what was left out.

The logs were read from the stored fork ntuhpc/mlperf_inference_results_v5.0 at commit cf354115 (the
mlcommons/inference_results_v5.0 snapshot has too many files for the mirror); every path is the upstream path.

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-v50/add_rows.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
COMMIT = "cf354115915ea369f05db424b051da8c5bf957dc"
REPO = f"https://github.com/ntuhpc/mlperf_inference_results_v5.0/blob/{COMMIT}/"
NVCFG = ("closed/NVIDIA/configs/llama2-70b/Offline/__init__.py (github.com/mlcommons/inference_results_v5.0 at "
         "6069beb24b7a0a352f2ea8e76989fa16cd47c76e)")
NVCAL = ("closed/NVIDIA/documentation/calibration.md line 36 'LLM submissions use FP8 or FP4 if the NVIDIA accelerator "
         "supports that feature.' (FP4 on Blackwell, FP8 on Hopper)")
VERIFIED = datetime.date(2026, 12, 6)
DATASETS = {"Llama 2 70B": "OpenOrca (MLPerf llama2-70b subset, 24576 samples)",
            "Mixtral 8x7B": "MLPerf mixtral-8x7b mix (OpenOrca, GSM8K, MBXP)",
            "Llama 3.1 405B": "MLPerf llama3.1-405b mix (LongBench, LongDataCollections, RULER, GovReport)",
            "GPT-J 6B": "CNN-DailyMail (MLPerf gptj, 13368 samples)"}
# loadgen's summary line -> (metric, statistic, unit, scale to the unit)
FIGURES = {"Tokens per second": ("tokens_per_s", None, "tok/s", 1.0),
           "Completed tokens per second": ("tokens_per_s", None, "tok/s", 1.0),
           "Completed tokens per second (inferred)": ("tokens_per_s", None, "tok/s", 1.0),
           "50.00 percentile first token latency (ns)": ("ttft_s", "p50", "ms", 1e-6),
           "Mean Time to Output Token (ns)": ("itl_s", "mean", "ms", 1e-6)}
SUFFIX = {"ttft_s": "-ttft-p50", "itl_s": "-tpot-mean", "tokens_per_s": ""}


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


def rows_of(log: str, stated: dict[str, tuple[int, str, float]], run: dict) -> list[dict]:
    _, submitter, _, system, directory, scenario, *_ = log.split("/")
    tokens = next(stated[k] for k in ("Tokens per second", "Completed tokens per second",
                                      "Completed tokens per second (inferred)") if k in stated)
    samples = next(stated[k] for k in ("Samples per second", "Completed samples per second") if k in stated)
    output_len = round(tokens[2] / samples[2])
    base = f"mlperf-inf-v5.0-{submitter}-{system}-{directory}-{scenario}".lower()
    note = (f"{run['description']}, MLPerf Inference v5.0 closed datacenter ({submitter} {system}, {directory}). "
            f"Precision {run['dtype']}: {run['dtype_source'].replace('NVCAL', NVCAL)}. Framework "
            f"{run['framework']}: {run['framework_source'].replace('NVCFG', NVCFG)}. output_len = line {tokens[0]} "
            f"'{tokens[1]}' / line {samples[0]} '{samples[1]}' = {tokens[2] / samples[2]:.2f} tokens per sample "
            f"(rounded). One row per run: of a benchmark submitted under both accuracy targets (-99, -99.9) the one "
            f"performance log the store holds is read.")
    server = scenario == "Server"
    laid_out = scenario in (run["layout_scenarios"] or "").split()  # the file stating the layout is this scenario's
    if run["layout_source"]:
        note += f" Layout ({run['layout_scenarios']} scenario): {run['layout_source'].replace('NVCFG', NVCFG)}."
    rate = stated["Scheduled samples per second"][2] if server else None
    if server:
        limits = [stated[k] for k in ("ttft_latency (ns)", "tpot_latency (ns)") if k in stated]
        note += f" MLPerf Server scenario (Poisson arrivals), scheduled {rate} samples/s (log line " \
                f"{stated['Scheduled samples per second'][0]})"
        note += "; constraints " + ", ".join(f"'{t}' (line {n})" for n, t, _ in limits) + "." if limits else "."
    out = []
    for key, (line, text, value) in stated.items():
        if key not in FIGURES:
            continue
        metric, statistic, unit, scale = FIGURES[key]
        out.append({
            "source_url": REPO + log, "last_verified": VERIFIED, "notes": note, "source_quality": "primary",
            "name": base + SUFFIX[metric], "metric": metric, "value": round(value * scale, 6), "unit": unit,
            "model": run["model"], "hardware": run["hardware"], "devices": int(run["devices"]),
            "compute_dtype": run["dtype"], "weight_dtype": run["dtype"], "framework": run["framework"],
            "scenario": "server" if server else "offline", "output_len": output_len,
            "tp": int(run["tp"]) if run["tp"] and laid_out else None,
            "pp": int(run["pp"]) if run["pp"] and laid_out else None, "batch": None,
            "dataset": DATASETS[run["model"]], "request_rate": rate, "statistic": statistic,
            "source_location": f"MLPerf Inference v5.0 closed, {log} line {line}: '{text}'"})
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
