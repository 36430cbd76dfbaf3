"""MLPerf Inference v5.1 (closed, datacenter) rows the measurements catalog does not hold yet: partner submissions and
NVIDIA's / AMD's other systems, whose precision their own measurements JSON states.

Reads ``v51_runs.csv`` (one row per performance log collect.py kept: catalog model, hardware, devices, precision and
framework with the file and line that state them) and ``v51_log_lines.csv`` (the log's summary lines) and appends
one row per figure: ResNet-50 / RetinaNet Offline samples/s and Server completed samples/s; LLM Offline tokens/s,
Server / Interactive tokens/s, the median TTFT and the mean TPOT (``statistic`` p50 / mean, as r-v50 states them).
tp / pp where the run's own TensorRT-LLM config states them, vLLM's scheduler steps where the harness yaml its
measurements README starts states them (collect.py); batch, kv_cache and the rest are left unstated.
A run the catalog already cites (either accuracy target's log of the same system, benchmark and scenario) is
skipped, and of a run submitted under both accuracy targets (-99, -99.9) the -99 log is read. Rows are built from
the catalog's own schema: columns this script does not state are null, whatever columns the catalog has.

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-v50b/add_rows.py
"""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parents[1]
# the log-line parser is r-v50's (one implementation; r-v40 reads it the same way)
_SPEC = importlib.util.spec_from_file_location("add_rows_v50_for_v50b", HERE.parent / "r-v50" / "add_rows.py")
V50 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(V50)
COMMIT = "965182b03376a00fcae415c54e560e1c83937932"
REPO = f"https://github.com/mlcommons/inference_results_v5.1/blob/{COMMIT}/"
VERIFIED = datetime.date(2026, 12, 6)
# the catalog's dataset names for these benchmarks (workloads.parquet names or aliases; r-v50, r-v40, r-mlperf2)
DATASETS = {"Llama 2 70B": "OpenOrca (MLPerf llama2-70b subset, 24576 samples)",
            "Mixtral 8x7B": "MLPerf mixtral-8x7b mix (OpenOrca, GSM8K, MBXP)",
            "Llama 3.1 405B": "MLPerf llama3.1-405b mix (LongBench, LongDataCollections, RULER, GovReport)",
            "Llama 3.1 8B": "CNN-DailyMail (MLPerf llama3.1-8b)", "DeepSeek-R1": "mlperf-deepseek-r1",
            "ResNet-50": "ImageNet 2012 validation (224x224)",
            "RetinaNet": "OpenImages v6 MLPerf validation subset (24,576 images at 800x800)"}
# loadgen's summary key -> (metric, statistic, unit, scale to the unit, name suffix)
LLM = {"Tokens per second": ("tokens_per_s", None, "tok/s", 1.0, ""),
       "Completed tokens per second": ("tokens_per_s", None, "tok/s", 1.0, ""),
       "50.00 percentile first token latency (ns)": ("ttft_s", "p50", "ms", 1e-6, "-ttft-p50"),
       "Mean Time to Output Token (ns)": ("itl_s", "mean", "ms", 1e-6, "-tpot-mean")}
CNN = {"Samples per second": ("samples_per_s", None, "1/s", 1.0, ""),
       "Completed samples per second": ("samples_per_s", None, "1/s", 1.0, "")}
BOUNDS = ("target_latency (ns)", "ttft_latency (ns)", "tpot_latency (ns)")


def run_key(log: str) -> str:
    """closed/<sub>/results/<system>/<benchmark>/<scenario>/... -> one key for both accuracy targets' logs."""
    _, sub, _, system, bench, scenario, *_ = log.split("/")
    return "/".join([sub, system, bench.removesuffix("-99.9").removesuffix("-99").replace("_", "."),
                     scenario.lower()])


def rows_of(run: dict, stated: dict[str, tuple[int, str, float]]) -> list[dict]:
    log, scenario = run["log"], run["scenario"].lower()
    llm = run["model"] not in ("ResNet-50", "RetinaNet")
    note = (f"{run['description']}, MLPerf Inference v5.1 closed datacenter ({run['submitter']} {run['system']}, "
            f"{run['benchmark']}, {run['scenario']}). Precision {run['dtype']}: {run['dtype_source']}. Framework "
            f"{run['framework']}: {run['framework_source']}.")
    output_len = None
    if llm:
        tokens = next(stated[k] for k in ("Tokens per second", "Completed tokens per second") if k in stated)
        samples = next(stated[k] for k in ("Samples per second", "Completed samples per second") if k in stated)
        output_len = round(tokens[2] / samples[2])
        note += (f" output_len = line {tokens[0]} '{tokens[1]}' / line {samples[0]} '{samples[1]}' = "
                 f"{tokens[2] / samples[2]:.2f} tokens per sample (rounded).")
    # N = 1 is vLLM's default, one step a block: left unstated, as r-ttft left it
    steps = int(run["scheduler_steps"]) if run["scheduler_steps"] and int(run["scheduler_steps"]) > 1 else None
    if run["scheduler_steps"]:
        note += f" vLLM num_scheduler_steps {run['scheduler_steps']}: {run['scheduler_steps_source']}."
    tp, pp = (int(run[k]) if run[k] else None for k in ("tp", "pp"))
    if run["layout_source"]:
        note += f" Layout (this scenario's config): {run['layout_source']}."
    rate = None
    if scenario != "offline":
        line, text, rate = stated["Scheduled samples per second"]
        limits = [stated[k] for k in BOUNDS if k in stated]
        note += (f" MLPerf {run['scenario']} scenario (Poisson arrivals), scheduled {rate} samples/s (log line "
                 f"{line}); constraints " + ", ".join(f"'{t}' (line {n})" for n, t, _ in limits) + ".")
    base = (f"mlperf-inf-v5.1-{run['submitter']}-{run['system']}-{run['benchmark']}-{scenario}"
            .lower().replace("_", "-"))
    shared = {"source_url": REPO + log, "last_verified": VERIFIED, "notes": note, "source_quality": "primary",
              "model": run["model"], "hardware": run["hardware"], "devices": int(run["devices"]),
              "compute_dtype": run["dtype"], "weight_dtype": run["dtype"], "framework": run["framework"],
              "scenario": "offline" if scenario == "offline" else "server", "output_len": output_len,
              "dataset": DATASETS[run["model"]], "request_rate": rate, "scheduler_steps": steps,
              "tp": tp, "pp": pp}
    figures = LLM if llm else CNN
    return [shared | {"name": base + suffix, "metric": metric, "value": round(value * scale, 6), "unit": unit,
                      "statistic": statistic,
                      "source_location": f"MLPerf Inference v5.1 closed, {log} line {line}: '{text}'"}
            for key, (line, text, value) in stated.items() if key in figures
            for metric, statistic, unit, scale, suffix in [figures[key]]]


def selected(runs: pl.DataFrame, measurements: pl.DataFrame) -> pl.DataFrame:
    """The runs the catalog holds no log of (neither accuracy target's), one log per run (the -99 one)."""
    cited = measurements["source_url"].drop_nulls().str.extract(r"inference_results_v5\.1/blob/[0-9a-f]+/(.*)$")
    held = {run_key(p) for p in cited.drop_nulls().to_list()}
    runs = runs.with_columns(key=pl.col("log").map_elements(run_key, return_dtype=pl.String),
                             target=pl.col("benchmark").str.ends_with("-99.9"))  # False (-99 or none) sorts first
    return (runs.filter(~pl.col("key").is_in(list(held))).sort("key", "target")
            .unique("key", keep="first", maintain_order=True).drop("target"))


def merged(measurements: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``measurements`` with ``rows`` appended in its own columns and types: a column the rows do not state is
    null in them, whatever columns the catalog has by then."""
    return pl.concat([measurements, rows], how="diagonal_relaxed").select(measurements.columns).cast(
        measurements.schema)


def main() -> None:
    measurements = read_catalog("measurements", REGISTRY)
    read = {"infer_schema": False}
    runs = selected(pl.read_csv(HERE / "v51_runs.csv", **read), measurements)
    stated = V50.parsed(pl.read_csv(HERE / "v51_log_lines.csv", **read))
    rows = pl.DataFrame([row for run in runs.iter_rows(named=True) for row in rows_of(run, stated[run["log"]])],
                        infer_schema_length=None)
    added = rows.join(measurements.select("name"), on="name", how="anti") if rows.height else rows
    print(f"{runs.height} runs the catalog does not hold, {rows.height} rows, {added.height} new")
    if added.height:
        print(write_catalog(merged(measurements, added), "measurements", REGISTRY))


if __name__ == "__main__":
    main()
