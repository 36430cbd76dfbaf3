"""registry_data/research/r-gptisl: the MLPerf v6.0 GPT-OSS 120B performance set's input lengths as the MLCommons
reference implementation's figure states them, with the source and the checks named; a second run of apply.py
changes nothing; the row it fills is the one r-v60's GPT-OSS rows name."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-gptisl"
NAME = "mlperf-gpt-oss-120b-perf"
FIGURE = ("https://github.com/mlcommons/inference/blob/38420392fc040bbb7de376af587375042d333ea5/language/"
          "gpt-oss-120b/dataset_isl_distribution.png")


def _row(workloads: pl.DataFrame) -> dict:
    return workloads.filter(pl.col("name") == NAME).row(0, named=True)


def test_the_row_holds_the_figures_legend_and_box_plot():
    """Panel 'Performance Dataset (6,396 samples)': 'Mean: 5011', 'Median: 4593', box plot 'Max: 15330'."""
    row = _row(read_catalog("workloads"))
    assert (row["input_tokens_mean"], row["input_tokens_p50"], row["input_tokens_max"]) == (5011, 4593, 15330)
    assert row["input_tokens_std"] is None and row["input_tokens_p90"] is None and row["input_tokens_p99"] is None
    assert row["samples"] == 6396  # loadgen mlperf.conf gpt-oss-120b.*.performance_sample_count_override
    assert row["output_tokens_mean"] == 1278.2  # TEST09's reference, unchanged
    assert FIGURE in row["source_location"] and "(r-gptisl)" in row["notes"]
    assert row["last_verified"] == dt.date(2026, 12, 7)


def test_from_a_row_without_them_apply_fills_them_once(tmp_path):
    for parquet in HERE.parents[1].glob("*.parquet"):
        shutil.copy(parquet, tmp_path / parquet.name)
    bundled = read_catalog("workloads")
    row = pl.col("name") == NAME
    before = bundled.with_columns(  # the row as it was: no input statistics, no r-gptisl note or location
        [pl.when(row).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("input_tokens_mean", "input_tokens_p50", "input_tokens_max")],
        notes=pl.when(row).then(pl.col("notes").str.split(" | 2026-12-07 (r-gptisl)").list.first())
        .otherwise(pl.col("notes")),
        source_location=pl.when(row).then(pl.col("source_location").str.split("; input statistics:").list.first())
        .otherwise(pl.col("source_location")))
    assert "(r-gptisl)" not in _row(before)["notes"]
    write_catalog(before, "workloads", tmp_path)
    apply = script(HERE / "apply.py", "r_gptisl_apply")
    once = apply.with_lengths(read_catalog("workloads", tmp_path))
    twice = apply.with_lengths(once)
    assert twice.equals(once)
    assert _row(once)["notes"].count("(r-gptisl)") == 1
    assert _row(once)["input_tokens_mean"] == 5011


def test_a_missing_row_is_refused_by_name():
    apply = script(HERE / "apply.py", "r_gptisl_apply_missing")
    with pytest.raises(ValueError, match=NAME):
        apply.with_lengths(read_catalog("workloads").filter(pl.col("name") != NAME))
