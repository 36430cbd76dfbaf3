"""Offline throughput rows run as their benchmark runs them (issue 12 items 4 and 8): trtllm-bench's batch (the KV
cache's capacity up to 4,096, not the grid's 512) and its fixed request count (a burst of N requests: whole waves,
the last partial), from TensorRT-LLM's own sources; other frameworks keep the grid."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import SERVING_BATCHES, burst_of, offline_batches

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "tokens_per_s", "framework": "TensorRT-LLM",
    "model": "Llama 3.1 8B", "hardware": "H100 SXM5 80GB", "compute_dtype": "fp8", "weight_dtype": "fp8",
    "devices": 1, "tp": 1, "pp": 1, "prompt_len": 1000, "output_len": 1000, "requests": 3000}
# TensorRT-LLM docs/source/performance/perf-overview.md (258c7540), "Preparing a Dataset": $num_requests
# per ISL/OSL, copied by hand from the page
NUM_REQUESTS = {(128, 128): 30000, (128, 2048): 3000, (128, 4096): 1500, (2048, 128): 3000, (2048, 2048): 1500,
                (5000, 500): 1500, (1000, 1000): 3000, (500, 2000): 3000, (20000, 2000): 1000, (1000, 2000): 1500}


def test_trtllm_bench_runs_batches_up_to_4096():
    """finetune_setting caps max_batch_size at 4096; the batch-size tuner's table (768, 1024, 1536) and its
    512-granular fallback above 1,664 sequences: the grid's 1..512, then those."""
    spec, reason = measurement_spec(ROW)
    assert reason is None
    assert spec["axes"]["batch"] == [*SERVING_BATCHES, 768, 1024, 1536, 2048, 2560, 3072, 3584, 4096]
    assert max(spec["axes"]["batch"]) == 4096


@pytest.mark.parametrize("change", [{"framework": "vLLM"}, {"scenario": "server"}, {"metric": "itl_s"},
                                    {"concurrency": 64}, {"request_rate": 2.0}])
def test_other_runs_keep_the_grid(change):
    assert offline_batches(ROW | change) == []


def test_a_stated_batch_is_kept():
    spec, _ = measurement_spec(ROW | {"batch": 96})
    assert spec["axes"]["batch"] == [96]


def test_an_offline_row_with_its_request_count_is_a_burst():
    """3,000 requests on 8 devices of TP2: four replicas of 750 each."""
    assert burst_of(ROW) == {"burst": 3000}
    assert burst_of(ROW | {"devices": 8, "tp": 2}) == {"burst": 750}
    spec, _ = measurement_spec(ROW)
    assert spec["burst"] == 3000


@pytest.mark.parametrize("change", [{"requests": None}, {"tp": None, "devices": 8}, {"batch": 64},
                                    {"concurrency": 8}])
def test_no_burst_without_a_count_a_replica_count_or_with_a_stated_batch(change):
    assert burst_of(ROW | change) == {}


def test_a_tokens_row_at_a_rate_with_its_count_is_a_finite_run():
    """At a request rate the same 3,000 requests are a finite run (pipeline.walls.finite_run): its length, and so the
    tokens/s it delivers, from the TTFT and TPOT its own rows read (serving_rows.delivered_tokens_per_s)."""
    assert burst_of(ROW | {"request_rate": 1.0}) == {"burst": 3000}
    assert burst_of(ROW | {"request_rate": 1.0, "requests": None}) == {}


def test_every_perf_overview_offline_row_states_the_pages_request_count(catalogs):
    """registry_data/research/r-offline/apply.py copied each row's quoted count: it equals the page's table."""
    rows = catalogs.measurements.filter(pl.col("source_url").str.ends_with("perf-overview.md")
                                        & (pl.col("scenario") == "offline") & (pl.col("metric") == "tokens_per_s"))
    assert rows.height >= 400
    for isl, osl, n in rows.select("prompt_len", "output_len", "requests").iter_rows():
        assert n == NUM_REQUESTS[(isl, osl)], (isl, osl, n)


def test_a_tensorrt_llm_replica_under_load_admits_up_to_4096():
    """MLPerf Inference v5.1's closed TensorRT-LLM Server configs build Llama 2 70B at gpu_batch_size 2048 and
    Mixtral 8x7B at 3072-6144 (closed/*/configs/*/Server/*.py): the cap under a rate is trtllm-bench's 4096, the KV
    cache capping it further (wall 7's load_batch_cap); other frameworks keep the grid's 512."""
    server = ROW | {"scenario": "server", "metric": "ttft_s", "request_rate": 10.0, "requests": None}
    spec, _ = measurement_spec(server)
    assert spec["axes"]["batch"] == [4096] and spec["axes"]["request_rate"] == [10.0]
    spec, _ = measurement_spec(server | {"framework": "vLLM"})
    assert spec["axes"]["batch"] == [512]
