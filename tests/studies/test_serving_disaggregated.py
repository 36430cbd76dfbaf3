"""Disaggregated prefill/decode as an axis of the serving study (pipeline.studies.serving_disaggregated):
one row by hand (capacity, TTFT percentiles), the prompts a prefill pass takes, the drop rules, and
config_ids of aggregated rows unchanged."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline.catalogs.load import load_catalogs
from pipeline.runs import typed
from pipeline.spec import parse_spec
from pipeline.studies import serving, serving_disaggregated

KV_PER_TOKEN = 2 * 80 * 8 * 128 * 2  # Llama 3.1 70B: 80 layers, 8 KV heads of 128, bf16: 327,680 B
AXES = {"model": ["Llama 3.1 70B"], "hardware": ["H100 SXM5 80GB"], "tp": [4], "pp": [1], "batch": [64],
        "precision": ["bf16"], "prompt_len": [1024], "output_len": [256], "request_rate": [20.0]}


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return pipeline.sweep({"study": "serving", "axes": AXES | {"prefill_workers": [0, 2], "decode_workers": [0, 3]}})


def test_two_prefill_and_three_decode_workers_by_hand(rows):
    """vLLM's 8,192-token budget over 1,024-token prompts: b_p = 8 prompts per pass. With the
    pass D, the ITL t and G = 256: capacity min(2 x 8 / D, 3 x 64 / (256 t)). At 20 requests/s
    each prefill worker runs at rho = 20 / 2 x D / 8; TTFT = wait + D + the KV of one prompt
    (327,680 B x 1,024) over 4 NICs of 400 Gb/s x 0.95 (NCCL's achieved 46-49 GB/s per NDR NIC,
    nccl-tests #267/#290; not the profile's scale-up eta_link) after the cluster's latency; P99 wait
    D / (2 (1 - rho)) ln(rho / 0.01), the mean rho D / (2 (1 - rho)), the median 0 below rho 1/2."""
    assert rows.height == 2  # (0, 3) and (2, 0) are dropped: one pool without the other
    agg, r = (rows.filter(pl.col("prefill_workers") == x).row(0, named=True) for x in (0, 2))
    assert agg["disagg_gpus"] is None and agg["disagg_ttft_p99_s"] is None and agg["prefill_batch"] == 8.0
    assert r["prefill_batch"] == 8.0 and r["disagg_gpus"] == 20.0
    d, t = r["prefill_batch_pass_time_s"], r["itl_s"]
    assert d > agg["ttft_s"] / 64 * 8 * 0.5  # the pass of 8 prompts, not of the row's 64 (sanity)
    capacity = min(2 * 8 / d, 3 * 64 / (256 * t))
    assert r["disagg_capacity_requests_per_s"] == pytest.approx(capacity, rel=1e-12)
    rho = 20 / 2 * d / 8
    assert r["disagg_prefill_utilization"] == pytest.approx(rho, rel=1e-12)
    assert r["disagg_utilization"] == pytest.approx(20 / capacity, rel=1e-12)
    transfer = 2.7e-6 + KV_PER_TOKEN * 1024 / (4 * 50e9 * 0.95)  # 335,544,320 B / 190 GB/s = 1.76602 ms
    assert r["disagg_kv_transfer_time_s"] == pytest.approx(transfer, rel=1e-9)
    assert r["disagg_ttft_p99_s"] == pytest.approx(d / (2 * (1 - rho)) * max(math.log(rho / 0.01), 0) + d + transfer,
                                                   rel=1e-9)
    assert r["disagg_ttft_mean_s"] == pytest.approx(rho * d / (2 * (1 - rho)) + d + transfer, rel=1e-9)
    assert r["disagg_ttft_p50_s"] == pytest.approx(d + transfer, rel=1e-9) if rho <= 0.5 else True
    # the prefill pass of 8 prompts is the row's own prefill formula at batch 8
    at8 = pipeline.sweep({"study": "serving", "axes": AXES | {"batch": [8]}}).row(0, named=True)
    assert d == pytest.approx(at8["ttft_s"], rel=1e-12)


def test_wide_ep_prefill_takes_a_budget_per_attention_group():
    """DeepSeek-V3 on H200, fp8, TP 2 x EP 16 (8 attention groups), 2,000-token prompts: the
    profile's 8,192-token budget per group holds floor(8,192 / 2,000) = 4 prompts, 32 per pass;
    a 10,000-token prompt still passes one per group: 8."""
    frame = pipeline.sweep({"study": "serving", "axes": {
        "model": ["DeepSeek-V3"], "hardware": ["H200 SXM 141GB"], "precision": ["fp8"], "tp": [2], "pp": [1],
        "ep": [16], "batch": [64], "prompt_len": [2000, 10000], "output_len": [100]}})
    got = dict(zip(frame["prompt_len"], frame["prefill_batch"], strict=True))
    assert got == {2000: 32.0, 10000: 8.0}


def test_disaggregation_needs_both_pools_and_a_scale_out_fabric():
    catalogs = load_catalogs()
    spec = parse_spec({"study": "serving", "axes": AXES | {"prefill_workers": [0, 1], "decode_workers": [0, 1, 2]}})
    dropped = serving.build_space(catalogs, spec).dropped
    assert dropped[serving_disaggregated.ONE_POOL.reason] == 3  # (0, 1), (0, 2), (1, 0)
    # the H100 PCIe has no cluster in the catalog: no fabric carries the KV
    assert catalogs.clusters.filter(pl.col("accelerator") == "H100 PCIe 80GB").is_empty()
    spec = parse_spec({"study": "serving", "axes": AXES | {"hardware": ["H100 PCIe 80GB"], "tp": [1],
                                                           "prefill_workers": [0, 1], "decode_workers": [0, 1]}})
    space = serving.build_space(catalogs, spec)
    assert space.dropped[serving_disaggregated.NO_SCALEOUT.reason] == 1  # (1, 1); (0, 0) runs aggregated
    assert space.dropped[serving_disaggregated.ONE_POOL.reason] == 2


def test_aggregated_rows_key_as_before_the_axes():
    """x = y = 0 adds nothing to config_id: the id of a row without the columns."""
    row = {"hardware": "H100 SXM5 80GB", "model": "Llama 3.1 70B", "tp": 4, "batch": 64, "prompt_len": 1024}
    assert typed.config_id_int(row) == typed.config_id_int(row | {"prefill_workers": 0, "decode_workers": 0})
    assert typed.config_id_int(row) != typed.config_id_int(row | {"prefill_workers": 2, "decode_workers": 3})


def test_the_sla_frontier_query_reads_the_runs_disaggregated_rows(tmp_path):
    """A run with the axes: the query's disaggregated deployments of x = 2, y = 3 TP4 workers (20
    GPUs) are the rows' own figures: rate x 256 / 20 tok/s per GPU at 1 / ITL per user, TTFT the
    row's disagg_ttft_p99_s, only rates the pools sustain within the SLA (a run of these rows
    alone: no aggregated row, no batch-1 prefill row to pair)."""
    rates = [1.0, 5.0, 20.0, 40.0]
    axes = AXES | {"request_rate": rates, "prefill_workers": [2], "decode_workers": [3], "region": ["United States"]}
    run = pipeline.run_sweep({"study": "serving", "axes": axes}, tmp_path / "out")
    got = pipeline.query("sla_frontier", run=run, model="Llama 3.1 70B", gpus="20", ttft_s="2", tpot_s="0.1",
                         percentile="p99")
    rows = pipeline.sweep({"study": "serving", "axes": axes})
    ok = rows.filter((pl.col("disagg_utilization") < 1) & (pl.col("disagg_ttft_p99_s") <= 2))
    best = ok.sort("request_rate").row(-1, named=True)
    assert got.height == 1  # one TPOT (the row's ITL): the frontier keeps the highest rate
    r = got.row(0, named=True)
    assert (r["kind"], r["prefill_workers"], r["decode_workers"], r["deployment_gpus"]) == ("disaggregated", 2, 3, 20)
    assert r["tokens_per_s_per_gpu"] == pytest.approx(best["request_rate"] * 256 / 20, rel=1e-6)  # Float32 in a run
    assert r["tokens_per_s_per_user"] == pytest.approx(1 / best["itl_s"], rel=1e-6)
    assert r["deployment_ttft_s"] == pytest.approx(best["disagg_ttft_p99_s"], rel=1e-6)
