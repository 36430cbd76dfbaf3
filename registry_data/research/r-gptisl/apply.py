"""The input length statistics of MLPerf Inference v6.0's GPT-OSS 120B performance set (r-gptisl README), into the
workloads catalog row ``mlperf-gpt-oss-120b-perf``. Re-runnable and idempotent (a second run changes nothing); run
from the repository root, then r-v60's add_rows.py adds the 90 GPT-OSS rows it had left out:

    .venv/bin/python registry_data/research/r-gptisl/apply.py [registry_dir]
    .venv/bin/python registry_data/research/r-v60/add_rows.py

Source: the MLCommons reference implementation's own figure of the dataset, mlcommons/inference commit 38420392
(2025-12-23, 'gpt-oss: add vLLM backend integration'), ``language/gpt-oss-120b/dataset_isl_distribution.png``, panel
'Performance Dataset (6,396 samples)': legend 'Mean: 5011', 'Median: 4593'; its box plot 'Min: 600, 25%: 3492,
50%: 4593, 75%: 6046, Max: 15330'. The figure states whole tokens; no standard deviation, p90 or p99.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.paths import bundled_registry

TAG = "2026-12-07 (r-gptisl)"
VERIFIED = dt.date(2026, 12, 7)
NAME = "mlperf-gpt-oss-120b-perf"
FIGURE = ("https://github.com/mlcommons/inference/blob/38420392fc040bbb7de376af587375042d333ea5/language/"
          "gpt-oss-120b/dataset_isl_distribution.png")
STATED = {"input_tokens_mean": 5011.0, "input_tokens_p50": 4593.0, "input_tokens_max": 15330.0}
NOTE = (f"{TAG}: input statistics read off the MLCommons reference implementation's figure of the dataset "
        "(source_location), panel 'Performance Dataset (6,396 samples)': mean 5011, median 4593, min 600, quartiles "
        "3492 / 6046, max 15330 tokens, as the figure rounds them. Checked: its sample counts 6,396 (performance) and "
        "4,395 (accuracy) are loadgen mlperf.conf's gpt-oss-120b performance / accuracy_sample_count_override, and "
        "its max 15,330 is the submitters' 'Max ISL 15,330' (code/gpt-oss-120b/tensorrt/README.md in the v6.0 "
        "results). Not stated by the figure: std, p90, p99 (left null).")
LOCATION = (f"input statistics: {FIGURE} (legend 'Mean: 5011', 'Median: 4593'; box plot 'Min: 600, 25%: 3492, "
            "50%: 4593, 75%: 6046, Max: 15330')")


def with_lengths(workloads: pl.DataFrame) -> pl.DataFrame:
    """``workloads`` with the performance set's input statistics and its dated note (once)."""
    if workloads.filter(pl.col("name") == NAME).height != 1:
        raise ValueError(f"workloads: expected one row named {NAME!r} (column name)")
    row = pl.col("name") == NAME
    noted = pl.col("notes").fill_null("").str.contains(TAG, literal=True)
    return workloads.with_columns(
        *[pl.when(row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column) for column, value in STATED.items()],
        pl.when(row & ~noted).then(pl.concat_str(pl.col("notes"), pl.lit(" | " + NOTE)))
        .otherwise(pl.col("notes")).alias("notes"),
        pl.when(row & ~noted).then(pl.concat_str(pl.col("source_location"), pl.lit("; " + LOCATION)))
        .otherwise(pl.col("source_location")).alias("source_location"),
        pl.when(row).then(pl.lit(VERIFIED)).otherwise(pl.col("last_verified")).alias("last_verified"))


def main(registry: Path) -> None:
    workloads = read_catalog("workloads", registry)
    updated = with_lengths(workloads)
    if updated.equals(workloads):
        print("workloads: unchanged")
        return
    print(write_catalog(updated, "workloads", registry))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
