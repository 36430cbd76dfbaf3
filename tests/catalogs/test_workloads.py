"""The workloads catalog (issue 12 item 5): bundled rows against the research CSV they come from,
and the schema's refusals, each naming the table, row and column."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, validate
from pipeline.errors import InputError

CONV = "azure-llm-inference-2023-conv"


@pytest.fixture(scope="module")
def bundled() -> pl.DataFrame:
    return read_catalog("workloads")


def test_bundled_rows_carry_the_published_figures(bundled):
    """Hand values from registry_data/research/r-workloads/lengths.csv (Azure conv trace; vLLM's random defaults)."""
    conv = bundled.filter(pl.col("name") == CONV).row(0, named=True)
    assert (conv["input_tokens_mean"], conv["input_tokens_p50"], conv["input_tokens_p99"]) == (1154.7, 1020, 4142)
    assert (conv["output_tokens_mean"], conv["output_tokens_max"], conv["samples"]) == (211.13, 1000, 19366)
    assert conv["source_url"].startswith("https://github.com/Azure/AzurePublicDataset/")
    fixed = bundled.filter(pl.col("name") == "vllm-random-default").row(0, named=True)
    assert (fixed["kind"], fixed["input_tokens_mean"], fixed["output_tokens_mean"]) == ("fixed", 1024, 128)
    sonnet = bundled.filter(pl.col("name") == "vllm-sonnet-default").row(0, named=True)
    assert (sonnet["kind"], sonnet["input_tokens_mean"], sonnet["output_tokens_mean"]) == ("fixed", 550, 150)


def test_unpublished_means_stay_null(bundled):
    """MLPerf publishes the reference output mean of OpenOrca (294.45 tokens/sample); its input lengths come from
    the per-sample counts (r-mlperf/workloads/lengths.csv: 222.33 mean, 171.51 std over 24,576 samples), while
    its output spread (GPT-4 answers in that file, not Llama 2's generations) and every GPT-J length stay null."""
    orca = bundled.filter(pl.col("name") == "mlperf-llama2-70b-openorca").row(0, named=True)
    assert (orca["input_tokens_mean"], orca["input_tokens_std"], orca["output_tokens_mean"]) == (222.33, 171.51, 294.45)
    assert orca["output_tokens_std"] is None and orca["output_cap_tokens"] == 1024
    gptj = bundled.filter(pl.col("name") == "mlperf-gptj-cnndm").row(0, named=True)
    assert gptj["input_tokens_mean"] is None and gptj["output_tokens_mean"] is None


def bad(bundled: pl.DataFrame, **changes) -> list:
    frame = bundled.with_columns(
        pl.when(pl.col("name") == CONV).then(pl.lit(v)).otherwise(pl.col(k)).cast(bundled[k].dtype).alias(k)
        for k, v in changes.items())
    with pytest.raises(InputError) as exc:
        validate(frame, "workloads")
    assert "catalog 'workloads'" in str(exc.value)
    return exc.value.problems


def row_of(bundled: pl.DataFrame) -> int:
    return bundled["name"].to_list().index(CONV) + 1


def test_negative_length_is_refused(bundled):
    problems = bad(bundled, input_tokens_mean=-5.0)
    assert [(p.row, p.column, p.label) for p in problems] == [(row_of(bundled), "input_tokens_mean", CONV)]
    assert "got -5.0" in problems[0].message and "> 0" in problems[0].message


def test_percentiles_out_of_order_are_refused(bundled):
    """p50 4200 > p99 4142 (and > p90 2734.5): both rules name the later percentile."""
    problems = bad(bundled, input_tokens_p50=4200.0)
    assert {(p.row, p.column) for p in problems} == {(row_of(bundled), "input_tokens_p90"),
                                                     (row_of(bundled), "input_tokens_p99")}
    assert any("expected >= input_tokens_p50" in p.message for p in problems)


def test_mean_above_max_and_generation_above_cap_are_refused(bundled):
    problems = bad(bundled, output_tokens_mean=2000.0, output_cap_tokens=512)
    assert {p.column for p in problems} == {"output_tokens_mean", "output_tokens_max"}
    assert all(p.label == CONV for p in problems)


def test_fixed_workload_needs_both_lengths(bundled):
    frame = bundled.with_columns(pl.when(pl.col("name") == "vllm-sonnet-default").then(None)
                                 .otherwise(pl.col("output_tokens_mean")).alias("output_tokens_mean"))
    with pytest.raises(InputError) as exc:
        validate(frame, "workloads")
    assert [(p.column, p.label) for p in exc.value.problems] == [("output_tokens_mean", "vllm-sonnet-default")]


def test_correlation_outside_minus_one_one_and_missing_source_are_refused(bundled):
    problems = bad(bundled, input_output_correlation=1.5, source_url="not a url")
    assert {p.column for p in problems} == {"input_output_correlation", "source_url"}
