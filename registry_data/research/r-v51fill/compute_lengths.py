"""Input length statistics of MLPerf Inference v5.1's DeepSeek-R1 dataset (r-v51fill README), from per-sample token
counts, as r-mlperf/workloads/compute_lengths.py computed the other MLPerf datasets'.

Source: openshift-psap/performance-dashboard (Red Hat PSAP) ``mlperf-data/summaries/deepseek-r1.csv`` at commit
7cd1065d (the commit r-mlperf read its llama2-70b file at): one row per sample of MLCommons'
``mlperf_deepseek_r1_dataset_4388_fp8_eval.pkl``, ``input_length`` = the file's ``tok_input_len`` and
``output_length`` = its ``tok_ref_output_len`` (``process_deepseek_r1`` of mlperf-data/original/
generate_dataset_summaries.py, same commit). The file (40 kB) is not committed; this script recomputes lengths.csv
from a checkout:

    git clone https://github.com/openshift-psap/performance-dashboard /tmp/pd && git -C /tmp/pd checkout 7cd1065d
    .venv/bin/python registry_data/research/r-v51fill/compute_lengths.py /tmp/pd/mlperf-data/summaries

Checks that the extraction is the official data (raised, not assumed): the row count is the QSL size 4,388 (loadgen
mlperf.conf ``deepseek-r1.*.performance_sample_count_override``), and the output column's mean is 4043.4499, the
``mean-output-tok-len`` of the PyTorch reference run that mlcommons/inference ``language/deepseek-r1/README.md``
printed in one version ("Reference Evals", 4043.449863263446). That reference generated up to 32K tokens (the same
README: "large max-OSL (32K)"; the column's max is 32,768), while the submission checker's TOKENS_PER_SAMPLE
reference is 3886.2274 (a later README version and tools/submission/submission_checker constants): so only the input
statistics are written; the catalog keeps 3886.2274 as the output mean and no output spread. Percentiles interpolate
linearly, std has ddof 1 (r-mlperf's rule)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

COMMIT = "7cd1065d1e2c53ee745cbda08e2a8f13a42c93bb"
FILE = "deepseek-r1.csv"
SOURCE = f"https://github.com/openshift-psap/performance-dashboard/blob/{COMMIT}/mlperf-data/summaries/{FILE}"
QSL = 4388  # loadgen mlperf.conf deepseek-r1 performance_sample_count_override
README_32K_OUTPUT_MEAN = 4043.449863263446  # language/deepseek-r1/README.md 'Reference Evals' (one version)


def lengths(frame: pl.DataFrame) -> dict:
    """The input statistics of the summary ``frame``, after the two checks that it is the official dataset."""
    if frame.height != QSL:
        raise ValueError(f"{FILE}: {frame.height} rows, expected the QSL size {QSL} (column input_length)")
    output_mean = frame["output_length"].cast(pl.Float64).mean()
    if abs(output_mean - README_32K_OUTPUT_MEAN) > 1e-6:
        raise ValueError(f"{FILE}: output_length mean {output_mean}, expected the README's {README_32K_OUTPUT_MEAN}")
    x = frame["input_length"].cast(pl.Float64)
    return {"name": "mlperf-deepseek-r1", "samples": frame.height, "input_tokens_mean": round(x.mean(), 2),
            "input_tokens_std": round(x.std(), 2),
            **{f"input_tokens_p{q}": round(x.quantile(q / 100, "linear"), 1) for q in (50, 90, 99)},
            "input_tokens_max": x.max(), "source_url": SOURCE}


def main(directory: str) -> None:
    out = Path(__file__).with_name("lengths.csv")
    pl.DataFrame([lengths(pl.read_csv(Path(directory) / FILE))]).write_csv(out)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
