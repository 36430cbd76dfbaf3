"""Disaggregated deployments built from serving rows (pipeline.studies.disaggregated): one case
by hand (TTFT = wait + prefill + KV transfer; rate matching), and sql/sla_frontier.sql against the
search's aggregated frontier on a small run."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline.report import serve_plan
from pipeline.studies import disaggregated as study

KV_PER_TOKEN = 2 * 80 * 8 * 128 * 2  # Llama 3.1 70B: 80 layers, 8 KV heads of 128, bf16: 327,680 B
NET = study.Network("test fabric", 50e9, 1.0, 2.7e-6)  # 400 Gb/s, one NIC per GPU


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    return pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 3.1 70B"], "hardware": ["H100 SXM5 80GB"], "tp": [2, 4], "pp": [1], "batch": [1, 64],
        "precision": ["bf16"], "prompt_len": [1024], "output_len": [256], "request_rate": [1.0]}})


def test_ttft_is_wait_prefill_and_kv_transfer_and_the_pools_are_rate_matched(rows):
    sla = study.Sla(0.5, 0.05, "p99")
    slim, matched = study.disaggregated(rows.lazy(), 6, sla, NET)
    got = study.with_pairs(slim, matched).filter(
        (pl.col("prefill_tp") == 2) & (pl.col("decode_tp") == 4) & (pl.col("decode_batch") == 64)
        & (pl.col("prefill_workers") == 1) & (pl.col("decode_workers") == 1)).collect().row(0, named=True)
    prefill = rows.filter((pl.col("tp") == 2) & (pl.col("batch") == 1)).row(0, named=True)
    decode = rows.filter((pl.col("tp") == 4) & (pl.col("batch") == 64)).row(0, named=True)
    # the exact KV formula's bytes of one 1,024-token prompt, by hand
    assert got["kv_transfer_bytes"] == pytest.approx(KV_PER_TOKEN * 1024, rel=1e-12)
    # min(2, 4) NICs of 50 GB/s at 0.95 of line rate (NCCL's 46-49 GB/s per NDR NIC, nccl-tests #267/#290)
    transfer = 2.7e-6 + KV_PER_TOKEN * 1024 / (min(2, 4) * 50e9 * 0.95)
    assert got["kv_transfer_time_s"] == pytest.approx(transfer, rel=1e-12)
    d = prefill["ttft_s"]  # one prompt's prefill on the TP2 worker
    decode_rate = 64 / (256 * decode["itl_s"])
    assert got["decode_capacity_requests_per_s"] == pytest.approx(decode_rate, rel=1e-12)
    # rate matching: the deployment takes the smaller pool's rate
    assert got["deployment_request_rate"] == pytest.approx(min(got["prefill_rate_per_worker"], decode_rate), rel=1e-12)
    rho = got["deployment_request_rate"] * d
    wait = d / (2 * (1 - rho)) * max(math.log(rho / 0.01), 0.0)  # P99 of the M/D/1 worker
    assert got["deployment_ttft_s"] == pytest.approx(wait + d + transfer, rel=1e-9)
    if got["prefill_rate_per_worker"] < decode_rate:  # the prefill pool binds: its TTFT sits on the SLA
        assert got["deployment_ttft_s"] == pytest.approx(0.5, abs=1e-5)
    assert got["deployment_tokens_per_s_per_gpu"] == pytest.approx(got["deployment_request_rate"] * 256 / 6)
    assert got["deployment_tokens_per_s_per_user"] == pytest.approx(1 / decode["itl_s"])


def test_the_sla_frontier_query_returns_the_serve_plan_frontier(tmp_path):
    """Both kinds, over a run of the sweep serve-plan makes; the query's network defaults are the
    fabric serve-plan takes for the H100 (the clusters catalog: 400 Gb/s, one NIC per GPU, 2.7 us)."""
    req = serve_plan.Request("Llama 3.1 70B", "H100 SXM5 80GB", 8, 0.5, 0.03, isl=1024, osl=256, precisions=("fp8",),
                             batches=(1, 16, 64, 256))
    run = pipeline.run_sweep(serve_plan.spec(req), tmp_path / "out")
    sql = pipeline.query("sla_frontier", run=run, model="Llama 3.1 70B", gpus="8", ttft_s="0.5", tpot_s="0.03",
                         percentile="p99")
    result = serve_plan.plan(req)
    assert (result.network.nic_bandwidth_bytes_per_s, result.network.nics_per_accelerator,
            result.network.scaleout_latency_s) == (50e9, 1.0, 2.7e-6)
    assert set(sql["kind"]) == set(result.frontier["kind"]) == {"aggregated", "disaggregated"}
    assert sql.height == result.frontier.height > 2
    ours = result.frontier.sort(study.FRONTIER_Y, descending=True).select(
        "kind", study.FRONTIER_X, study.FRONTIER_Y, "deployment_cost_per_million_tokens_usd").rows()
    theirs = sql.sort("tokens_per_s_per_user", descending=True).select(
        "kind", "tokens_per_s_per_gpu", "tokens_per_s_per_user", "cost_per_million_tokens_usd").rows()
    for a, b in zip(ours, theirs, strict=True):  # equal figures (a tie may be met by another layout)
        assert a[0] == b[0] and a[1:] == pytest.approx(b[1:], rel=1e-6)


def test_the_tpot_percentile_of_an_aggregated_deployment_is_its_rows(rows):
    """--tpot-percentile p99 reads a replica's tpot_p99_s (a request's own 99th percentile under load),
    p50 its tpot_p50_s; a decode worker's TPOT is its ITL at every percentile."""
    for percentile, column in (("p99", "tpot_p99_s"), ("p50", "tpot_p50_s"), ("mean", "tpot_under_load_s")):
        got = study.aggregated(rows.lazy(), 8, study.Sla(10.0, 1.0, "p99", percentile)).collect()
        expected = rows.filter(pl.col("is_stable") & pl.col("is_feasible"))[column].sort().to_list()
        assert got["deployment_tpot_s"].sort().to_list() == pytest.approx(expected, rel=1e-12)
    stable = rows.filter(pl.col("is_stable") & pl.col("is_feasible"))
    assert (stable["tpot_p99_s"] >= stable["tpot_under_load_s"]).all()


def test_the_sla_frontier_query_takes_the_nics_efficiency_of_wall_10():
    """sql/sla_frontier.sql cannot import a constant: its nic_efficiency default is the one figure of
    pipeline.walls.locality (NCCL's 46-49 GB/s of an NDR NIC's 50, nccl-tests #267/#290)."""
    from pipeline.runs import database
    from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY

    declared = database.query_params(database.query_path("sla_frontier").read_text())
    assert float(declared["nic_efficiency"]) == SCALEOUT_LINK_EFFICIENCY == 0.95
