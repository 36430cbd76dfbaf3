"""Issue 12: state ``output_len`` on MLPerf Inference v5.1 Llama 3.1 8B measurement rows from the run's own log.

The dataset's output token mean is not published (the workloads row mlperf-llama3.1-8b-cnndm says why), but each
run's own mlperf_log_summary.txt states both its tokens per second and its samples per second (lines 7 and 8;
log_lines.csv holds them verbatim, read from github.com/mlcommons/inference_results_v5.1 at 965182b0). Their ratio
is the mean number of tokens the run generated per sample (128.0 to 129.0 over these ten logs). Every row whose source_url is one of these logs and which does not
state output_len gets round(tokens / samples), with the file and lines in its notes.

It also sets the new ``statistic`` column (null = mean) of the latency rows whose cited log line names a
percentile: loadgen's '50.00 percentile first token latency (ns)' -> p50, '90th percentile latency (ns)' -> p90,
'Mean Time to Output Token (ns)' -> mean (the quoted line is in each row's source_location).

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-mlperf2/apply.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REGISTRY = Path(__file__).parents[2]
LOG_LINES = Path(__file__).with_name("log_lines.csv")
REPO = "https://github.com/mlcommons/inference_results_v5.1/blob/965182b03376a00fcae415c54e560e1c83937932/"
MARK = "output_len from the run's own log:"


def per_sample(logs: pl.DataFrame) -> dict[str, tuple[int, str]]:
    out = {}
    for r in logs.iter_rows(named=True):
        tokens = float(r["tokens_per_s"]) / float(r["samples_per_s"])
        note = (f"{MARK} {r['log']} line {r['tokens_line']} '{r['tokens_text']}' / line {r['samples_line']} "
                f"'{r['samples_text']}' = {tokens:.2f} tokens per sample (rounded).")
        out[REPO + r["log"]] = (round(tokens), note)
    return out


def updated(measurements: pl.DataFrame, logs: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    stated = per_sample(logs)
    rows, changed = [], 0
    for r in measurements.iter_rows(named=True):
        if r["source_url"] in stated and r["output_len"] is None and r["metric"] != "kernel":
            r["output_len"], note = stated[r["source_url"]]
            r["notes"] = f"{r['notes'] or ''} {note}".strip()
            changed += 1
        rows.append(r)
    return pl.DataFrame(rows, schema=measurements.schema), changed


# the loadgen line a row's source_location quotes -> the statistic it reports
STATISTIC = {"50.00 percentile first token latency (ns)": "p50", "90th percentile latency (ns)": "p90",
             "Mean Time to Output Token (ns)": "mean"}


def with_statistic(measurements: pl.DataFrame) -> pl.DataFrame:
    if "statistic" not in measurements.columns:
        measurements = measurements.with_columns(statistic=pl.lit(None, pl.String))
    stated = pl.lit(None, pl.String)
    for line, statistic in STATISTIC.items():
        quoted = pl.col("source_location").str.contains(f"'{line}", literal=True)
        stated = pl.when(quoted & pl.col("metric").is_in(["ttft_s", "itl_s", "latency_s"])).then(
            pl.lit(statistic)).otherwise(stated)
    return measurements.with_columns(statistic=pl.coalesce("statistic", stated))


def main() -> None:
    measurements, changed = updated(read_catalog("measurements", REGISTRY), pl.read_csv(LOG_LINES,
                                                                                       infer_schema=False))
    print(f"{changed} rows given output_len")
    measurements = with_statistic(measurements)
    print(measurements.group_by("statistic").len().sort("statistic"))
    print(write_catalog(measurements, "measurements", REGISTRY))


if __name__ == "__main__":
    main()
