"""Length statistics of four MLPerf Inference datasets, from per-sample token counts (issue 12 item 5).

Source: openshift-psap/performance-dashboard (Red Hat Performance and Scale, an MLPerf Inference
submitter) mlperf-data/summaries/*.csv: one row per sample of the official MLCommons dataset file,
``input_length`` = the file's own token-count column (llama2-70b: ``tok_input_length`` of
open_orca_gpt4_tokenized_llama.sampled_24576.pkl.gz; llama3.1-405b: mlperf_llama3.1_405b_dataset_8313_
processed_fp16_eval.pkl; mixtral-8x7b: 09292024_mixtral_15k_mintoken2_v1.pkl; llama3.1-8b: len(tok_input) of
cnn_eval.json), extracted by mlperf-data/original/generate_dataset_summaries.py of the same repository.
The files are not committed here (180 kB); this script recomputes lengths.csv from a checkout:

    git clone https://github.com/openshift-psap/performance-dashboard /tmp/pd  # commits below
    .venv/bin/python registry_data/research/r-mlperf/workloads/compute_lengths.py /tmp/pd/mlperf-data/summaries

Checks that the extraction is the official data: the row counts equal the QSL sizes of loadgen/mlperf.conf
(24,576 / 8,313 / 15,000 / 13,368), and the 405B and Mixtral output means equal the MLCommons READMEs'
reference tokens_per_sample (684.68, 144.84) to two decimals. Output statistics are kept only where the
column is the reference model's generation (405B, Mixtral): the llama2-70b column counts the GPT-4 answers
of OpenOrca (not Llama 2's generations, whose mean is 294.45), and the llama3.1-8b column is characters / 4
(an estimate the extractor states), so both are left out. Percentiles interpolate linearly (polars
quantile "linear"), std has ddof 1, as r-workloads computed the traces'."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

REPO = "https://github.com/openshift-psap/performance-dashboard/blob/{commit}/mlperf-data/summaries/{file}"
FILES = {  # workload name -> (summary file, commit it was read at, whether output_length is the reference output)
    "mlperf-llama2-70b-openorca": ("llama2-70b-99.csv", "7cd1065d1e2c53ee745cbda08e2a8f13a42c93bb", False),
    "mlperf-llama3.1-405b": ("llama3-1-405b.csv", "67033baeaac181a3a35641dd2b86a7cb22d856dd", True),
    "mlperf-mixtral-8x7b-mix": ("mixtral-8x7b.csv", "67033baeaac181a3a35641dd2b86a7cb22d856dd", True),
    "mlperf-llama3.1-8b-cnndm": ("llama3-1-8b-datacenter.csv", "7cd1065d1e2c53ee745cbda08e2a8f13a42c93bb", False),
}


def stats(frame: pl.DataFrame, side: str) -> dict:
    x = frame[f"{side}_length"].cast(pl.Float64)
    return {f"{side}_tokens_mean": round(x.mean(), 2), f"{side}_tokens_std": round(x.std(), 2),
            **{f"{side}_tokens_p{q}": round(x.quantile(q / 100, "linear"), 1) for q in (50, 90, 99)},
            f"{side}_tokens_max": x.max()}


def main(directory: str) -> None:
    rows = []
    for name, (file, commit, reference_output) in FILES.items():
        frame = pl.read_csv(Path(directory) / file)
        row = {"name": name, "samples": frame.height, **stats(frame, "input"),
               "source_url": REPO.format(commit=commit, file=file)}
        if reference_output:
            row |= stats(frame, "output") | {"input_output_correlation": round(
                frame.select(pl.corr("input_length", "output_length")).item(), 3)}
        rows.append(row)
    out = Path(__file__).with_name("lengths.csv")
    pl.DataFrame(rows).write_csv(out)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
