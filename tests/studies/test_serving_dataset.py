"""The serving study naming a workloads dataset (issue 12 item 5): its mean lengths set the work per
request, its spread the service-time variability; unpublished means and unknown names are refused."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.errors import InputError, UnknownNameError
from pipeline.spec import parse_spec

BASE = {"model": ["Llama 3.1 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "batch": [8]}


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    frame = pipeline.sweep({"study": "serving", "axes": BASE | {
        "dataset": ["azure-llm-inference-2023-conv", "vllm-random-default", "vllm-sonnet-default"],
        "request_rate": [1.0]}})
    return {r["dataset"]: r for r in frame.iter_rows(named=True)}


def test_lengths_are_the_dataset_means(rows):
    """lengths.csv: Azure conv 1154.7 in / 211.13 out (rounded to 1155 / 211); vLLM random 1024 / 128;
    sonnet 550 / 150."""
    got = {name: (r["prompt_len"], r["output_len"]) for name, r in rows.items()}
    assert got == {"azure-llm-inference-2023-conv": (1155, 211), "vllm-random-default": (1024, 128),
                   "vllm-sonnet-default": (550, 150)}


def test_spread_sets_the_service_time_cv(rows):
    """Fixed lengths (vLLM random, range ratio 0) have no spread: C_s = 0; the sonnet row publishes none: null;
    the Azure conv trace varies (s_I 1109, s_O 163 tokens): C_s > 0."""
    assert rows["vllm-random-default"]["request_service_time_cv"] == 0.0
    assert rows["vllm-sonnet-default"]["request_service_time_cv"] is None
    assert rows["azure-llm-inference-2023-conv"]["request_service_time_cv"] > 0.1


def test_same_row_as_the_lengths_given_directly(rows):
    """A dataset only sets the lengths: every prediction equals the row with prompt 1024, output 128."""
    direct = pipeline.sweep({"study": "serving", "axes": BASE | {"prompt_len": [1024], "output_len": [128],
                                                                 "request_rate": [1.0]}}).row(0, named=True)
    named = rows["vllm-random-default"]
    assert direct["dataset"] is None and direct["request_service_time_cv"] is None
    for column in ("ttft_s", "itl_s", "kv_cache_bytes", "capacity_requests_per_s", "ttft_p99_s"):
        assert named[column] == pytest.approx(direct[column], rel=1e-12), column


def test_api_and_offline_rows():
    frame = pipeline.evaluate_serving(model="Llama 3.1 8B", hardware="H100 SXM5 80GB", batch=4,
                                      dataset="vllm-sonnet-default", breakdown=False)
    r = frame.row(0, named=True)
    assert (r["dataset"], r["prompt_len"], r["output_len"]) == ("vllm-sonnet-default", 550, 150)
    assert r["request_service_time_cv"] is None  # offline: wall 7 does not apply


def test_unpublished_mean_is_refused_naming_the_figure():
    # MLPerf GPT-J's CNN-DailyMail set: neither length mean is published (the workloads catalog's only such row)
    with pytest.raises(InputError) as exc:
        pipeline.sweep({"study": "serving", "axes": BASE | {"dataset": ["mlperf-gptj-cnndm"]}})
    prompt, output = exc.value.problems
    assert prompt.column == output.column == "axes.dataset"
    assert "'mlperf-gptj-cnndm' cannot set prompt_len" in prompt.message
    assert "input_tokens_mean is unpublished" in prompt.message
    assert "output_tokens_mean is unpublished" in output.message


def test_unknown_dataset_suggests_the_closest_name():
    with pytest.raises(UnknownNameError) as exc:
        pipeline.sweep({"study": "serving", "axes": BASE | {"dataset": ["vllm-random-defualt"]}})
    assert exc.value.problems[0].column == "axes.dataset"
    assert "vllm-random-default" in exc.value.suggestions


def test_dataset_and_lengths_together_are_refused():
    with pytest.raises(InputError) as exc:
        parse_spec({"study": "serving", "axes": {"dataset": ["vllm-random-default"], "prompt_len": [512]}})
    assert [p.column for p in exc.value.problems] == ["axes.dataset"]
    assert "remove axes.prompt_len" in exc.value.problems[0].message


def test_manifest_names_the_dataset_only_when_given():
    plain = parse_spec({"study": "serving"}).as_dict()["serving_axes"]
    named = parse_spec({"study": "serving", "axes": {"dataset": "vllm-random-default"}}).as_dict()["serving_axes"]
    assert "dataset" not in plain and named["dataset"] == ["vllm-random-default"]


def test_each_named_dataset_gives_its_own_row():
    """Two datasets in one sweep: a row each, with its own lengths (vLLM's sonnet default 550/150,
    its random default 1024/128). A sweep's row order is not defined, so rows are matched by name."""
    frame = pipeline.sweep({"study": "serving", "axes": BASE | {
        "dataset": ["vllm-sonnet-default", "vllm-random-default"]}})
    assert frame.height == 2
    lengths = {r["dataset"]: (r["prompt_len"], r["output_len"])
               for r in frame.with_columns(pl.col("dataset").cast(pl.String)).iter_rows(named=True)}
    assert lengths == {"vllm-sonnet-default": (550, 150), "vllm-random-default": (1024, 128)}
