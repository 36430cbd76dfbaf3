"""MLPerf Inference workloads for the measurement rows that name them (issue 12 item 5): fills the input
length statistics of the OpenOrca, Mixtral and Llama 3.1 405B rows of the workloads catalog (and the
reference output spread of the last two) from lengths.csv (compute_lengths.py says where the figures come
from), adds the CNN-DailyMail rows of Llama 3.1 8B (input lengths; output mean unpublished) and GPT-J (no
length published: its rows stay unpredicted with that reason), and sets ``aliases``: the dataset strings
measurement rows give each workload (an explicit mapping, read by pipeline.validation.serving_rows).

Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-mlperf/workloads/apply.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REGISTRY = Path(__file__).parents[3]
LENGTHS = Path(__file__).with_name("lengths.csv")
INFERENCE = "https://github.com/mlcommons/inference/blob/b66003e10e2db4b8c36a448b0545ec90fcc6e9e9/"
# Every string a measurement row's dataset column uses for the workload. Bare "OpenOrca" and "CNN-DailyMail"
# are the MLPerf rows of v4.0/v4.1 README tables (all 11 / 10 such rows are MLPerf llama2-70b / gptj runs,
# which use only these subsets); the catalog holds no other OpenOrca or CNN-DailyMail workload.
ALIASES = {
    "mlperf-llama2-70b-openorca": ["OpenOrca (MLPerf llama2-70b subset, 24576 samples)", "OpenOrca"],
    "mlperf-mixtral-8x7b-mix": ["MLPerf mixtral-8x7b mix (OpenOrca, GSM8K, MBXP)"],
    "mlperf-llama3.1-405b": ["MLPerf llama3.1-405b mix (LongBench, LongDataCollections, RULER, GovReport)"],
    "mlperf-llama3.1-8b-cnndm": ["CNN-DailyMail (MLPerf llama3.1-8b)"],
    "mlperf-gptj-cnndm": ["CNN-DailyMail (MLPerf gptj, 13368 samples)", "CNN-DailyMail"],
}
SEPARATOR = " | "
LENGTH_NOTE = ("Input (and, where stated, output) length statistics computed by us over the per-sample token "
               "counts of the official MLCommons dataset file, as extracted by Red Hat PSAP "
               "(openshift-psap/performance-dashboard mlperf-data/summaries; the source_url file): "
               "linear percentiles, std ddof 1. Checked: row count = the QSL size; where the file's output "
               "column is the reference generation its mean equals the README's tokens_per_sample.")
NEW_ROWS = [
    {"name": "mlperf-llama3.1-8b-cnndm", "kind": "benchmark", "model": "Llama 3.1 8B",
     "subset": "cnn_dailymail 3.0.0 validation (datacenter, cnn_eval.json)",
     "tokenizer": "meta-llama/Llama-3.1-8B-Instruct", "output_cap_tokens": 128, "trust": "B",
     "source_location": f"input: lengths.csv (tok_input of cnn_eval.json); output cap: {INFERENCE}"
                        "language/llama3.1-8b/SUT_VLLM.py max_tokens=128",
     "notes": "Output token mean NOT published: the README's gen_len 8,167,644 over 13,368 samples counts "
              "characters of the decoded summaries (evaluation.py), and the extraction's output column is "
              "characters / 4 (an estimate), so output statistics stay null. " + LENGTH_NOTE},
    {"name": "mlperf-gptj-cnndm", "kind": "benchmark", "model": "GPT-J 6B", "samples": 13368,
     "subset": "cnn_dailymail 3.0.0 validation", "tokenizer": "EleutherAI/gpt-j-6B", "output_cap_tokens": 128,
     "trust": "A", "source_url": INFERENCE + "language/gpt-j/backend_PyTorch.py",
     "source_location": "backend_PyTorch.py gen_kwargs (max_new_tokens=128, min_new_tokens=30, num_beams=4); "
                        "loadgen/mlperf.conf gptj performance_sample_count_override=13368",
     "notes": "No input or output length statistics published (dataset.py truncates inputs at 1,919 tokens, a "
              "bound; mlperf.conf's token_latency_scaling_factor 69 is loadgen's assumption, not a measured "
              "mean); rows naming it are not predicted for that reason."},
]


def updated(workloads: pl.DataFrame) -> pl.DataFrame:
    lengths = pl.read_csv(LENGTHS)
    new = [r for r in NEW_ROWS if r["name"] not in workloads["name"].to_list()]
    if new:
        base = {"last_verified": dt.date(2026, 12, 3), "source_quality": "primary", "source_url": None,
                "samples": None}
        workloads = pl.concat([workloads, pl.DataFrame([base | r for r in new])], how="diagonal_relaxed")
    stats = [c for c in lengths.columns if c not in ("name", "samples", "source_url")]
    by_name = {r["name"]: r for r in lengths.iter_rows(named=True)}
    rows = []
    for r in workloads.iter_rows(named=True):
        if r["name"] in by_name:
            given = by_name[r["name"]]
            assert r["samples"] in (None, given["samples"]), (r["name"], r["samples"], given["samples"])
            kept_output = r["output_tokens_mean"]
            r |= {c: given[c] for c in stats if given[c] is not None} | {"samples": given["samples"]}
            if kept_output is not None:  # the README's reference figure stays the output mean
                r["output_tokens_mean"] = kept_output
            if r["source_url"] is None:  # a row this script adds
                r["source_url"] = given["source_url"]
            elif r["source_url"] != given["source_url"]:
                r["source_location"] = (f"input statistics: {given['source_url']}; earlier figures: "
                                        f"{r['source_url']} ({r['source_location']})")
                r["source_url"] = given["source_url"]
                r["trust"] = "B"
                r["notes"] = (r["notes"] or "").replace("Input mean/percentiles not published in the repo. ", "")
                r["notes"] = f"{r['notes']} {LENGTH_NOTE}".strip()
        if r["name"] in ALIASES:
            r["aliases"] = SEPARATOR.join(ALIASES[r["name"]])
        rows.append(r)
    return pl.DataFrame(rows, schema=workloads.schema)


def main() -> None:
    workloads = read_catalog("workloads", REGISTRY)
    if "aliases" not in workloads.columns:
        workloads = workloads.with_columns(aliases=pl.lit(None, pl.String))
    print(write_catalog(updated(workloads), "workloads", REGISTRY))


if __name__ == "__main__":
    main()
