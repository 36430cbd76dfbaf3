"""Wall 7's batched prefill (issue 12 item 4): the prompts an iteration prefills together, by hand."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import scalar
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving, single
from pipeline.studies.serving_load import BATCH_QUEUED_PROMPTS, load_prefill_batch, prompts_per_iteration
from pipeline.units import expression_library


def test_the_token_budget_batches_whole_prompts():
    """8192-token budget (TensorRT-LLM's max_num_tokens default): 222-token prompts (MLPerf's OpenOrca mean)
    floor(8192 / 222) = 36 at a time; a batch cap of 20 keeps 20; a 10,000-token prompt is chunked, 1; no
    budget (a framework without chunked prefill): 1. Not batched (``BATCH_QUEUED_PROMPTS`` off): 1 each."""
    frame = pl.DataFrame({"budget": [8192.0, 8192.0, 8192.0, None], "new": [222.0, 222.0, 10_000.0, 222.0],
                          "cap": [4096.0, 20.0, 4096.0, 4096.0]})
    for batched, want in ((True, [36.0, 20.0, 1.0, 1.0]), (False, [1.0] * 4)):
        got = frame.select(load_prefill_batch(pl.col("budget"), pl.col("new"), pl.col("cap"), batched).alias("m"))
        assert got["m"].to_list() == want


def test_prompts_per_iteration_by_hand():
    """lambda = 20/s over 2 replicas = 10/s, tau 20 ms (rho 0.2), d 40 ms: E[C] = 40 / 0.8 = 50 ms, 0.5
    arrivals per iteration: a lone prompt, 1. lambda = 50/s, tau 10 ms (rho 0.5), d 50 ms: E[C] = 100 ms,
    5 prompts. lambda = 200/s, tau 10 ms (rho 2): arrivals queue, the whole budget-filling chunk of 36."""
    frame = pl.DataFrame({"rate": [20.0, 50.0, 200.0], "replicas": [2.0, 1.0, 1.0], "tau": [0.02, 0.01, 0.01],
                          "d": [0.04, 0.05, 0.05], "chunk": [36.0, 36.0, 36.0]})
    got = frame.select(prompts_per_iteration(pl.col("rate"), pl.col("replicas"), pl.col("tau"), pl.col("d"),
                                             pl.col("chunk")).alias("m"))["m"]
    assert got.to_list() == pytest.approx([1.0, 5.0, 36.0])


def test_prompts_of_a_scheduler_block_by_hand():
    """An engine admitting prompts once per block of N decode steps (vLLM V0's num_scheduler_steps) prefills what
    arrived over the block: lambda = 50/s, tau 10 ms (rho 0.5), d 50 ms, N = 4: m = lambda N d / (1 - rho) =
    50 x 4 x 0.05 / 0.5 = 20 (the block, 4 x 50 + 20 x 10 = 400 ms, sees 20 arrivals); N = 10 asks 50, the
    36-prompt chunk holds 36; N = 1 is the iteration's 5; on plain values the same."""
    frame = pl.DataFrame({"rate": [50.0] * 3, "replicas": [1.0] * 3, "tau": [0.01] * 3, "d": [0.05] * 3,
                          "chunk": [36.0] * 3, "steps": [4.0, 10.0, 1.0]})
    got = frame.select(prompts_per_iteration(pl.col("rate"), pl.col("replicas"), pl.col("tau"), pl.col("d"),
                                             pl.col("chunk"), pl.col("steps")).alias("m"))["m"]
    assert got.to_list() == pytest.approx([20.0, 36.0, 5.0])
    with expression_library(scalar):
        c = scalar.col
        one = scalar.compile_function({"m": prompts_per_iteration(c("rate"), c("replicas"), c("tau"), c("d"),
                                                                  c("chunk"), c("steps"))})
    assert [one(row)["m"] for row in frame.iter_rows(named=True)] == pytest.approx([20.0, 36.0, 5.0])


def test_a_scheduler_block_batches_more_prompts_in_both_paths():
    """Mixtral 8x7B on one MI325X under 52.5 requests/s (AMD's MLPerf v5.1 Server run per replica, vLLM, 32,000
    batched tokens, 2,560 sequences): 10 decode steps per scheduler call batch more prompts per prefill than 1, so a
    prompt's price falls towards the budget-filling one; the single-configuration path gives what the plan gives."""
    prices, catalogs = {}, load_catalogs()
    for steps in (1, 10):
        raw = {"study": "serving", "axes": {
            "model": ["Mixtral 8x7B"], "hardware": ["MI325X"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
            "kv_dtype": ["fp8"], "tp": [1], "batch": [2560], "prompt_len": [427], "output_len": [144],
            "request_rate": [52.5]}, "efficiency": {"framework": "vLLM"},
            "serving": {"scheduler_steps": steps, "prefill_chunk_tokens": 32000}}
        spec = parse_spec(raw, "block")
        row = serving.build(serving.build_space(catalogs, spec)).frame.collect().row(0, named=True)
        found = single.answer(spec, catalogs)
        for column in ("ttft_mean_s", "tpot_under_load_s", "batch_in_flight"):
            assert found.rows[0][column] == pytest.approx(row[column], rel=1e-6), (steps, column)
        prices[steps] = found.inputs[0]
    assert prices[10]["prefill_time_one_request_s"] < prices[1]["prefill_time_one_request_s"]
    assert prices[10]["prefill_time_one_request_s"] >= prices[10]["prefill_time_batched_s"] * (1 - 1e-9)


def test_capacity_prices_a_prompt_as_its_share_of_the_load_prefill_batch():
    """Llama 3 8B on one H100 at 1024-token prompts (vLLM profile, 8192-token budget): capacity is
    1 / (tau_b + G x ITL(b_cap) / b_cap), tau_b a prompt's share of the cap's prefill (``capacity_prompt_price``;
    the latency formulas batch ``load_prefill_batch`` prompts an iteration, 8 with ``BATCH_QUEUED_PROMPTS`` on);
    at a light load (0.1/s, under one arrival per iteration) the latency formulas' prompt is a lone prompt's pass."""
    spec = parse_spec({"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "tp": [1], "batch": [256],
        "prompt_len": [1024], "output_len": [256], "request_rate": [0.1]}, "efficiency": {"framework": "vLLM"}},
        "batched prefill")
    found = single.answer(spec, load_catalogs())
    row, values = found.rows[0], found.inputs[0]
    assert values["load_prefill_batch"] == (8.0 if BATCH_QUEUED_PROMPTS else 1.0)
    assert values["prefill_time_batched_s"] <= values["prefill_time_alone_s"]
    assert values["prefill_time_one_request_s"] == pytest.approx(values["prefill_time_alone_s"])
    per_request = (values["prefill_time_batched_s"]
                   + 256 * (values["itl_at_batch_cap_s"] + (values.get("scheduler_overhead_per_iteration_s") or 0.0))
                   / values["load_batch_cap"])
    assert row["capacity_requests_per_s"] == pytest.approx(1.0 / per_request, rel=1e-9)
