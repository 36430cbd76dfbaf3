"""Disaggregated prefill/decode's formulas (pipeline.walls.disaggregated) against hand calculations."""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import DISAGGREGATED


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, DISAGGREGATED).frame.collect().to_dict(as_series=False)


def test_kv_of_one_prompt_crosses_the_network_over_the_smaller_side():
    """Llama 3.1 70B (80 layers, 8 KV heads of 128, bf16): 2 x 80 x 8 x 128 x 2 B = 327,680 B per
    token. A decode row of batch 2 holding 1,280 tokens each keeps 327,680 x 1,280 x 2 =
    838,860,800 B; a 1,024-token prompt is 327,680 x 1,024 = 335,544,320 B. From 2 prefill GPUs to 4
    decode GPUs, one 400 Gb/s NIC each at 0.95 of line rate (NCCL maintainers: 46-49 GB/s per NDR NIC,
    nccl-tests #267/#290; not the scale-up eta_link, so a row's eta_link of 0.8 must not enter):
    2 links x 50 GB/s x 0.95 = 95 GB/s, 2.7 us + 335,544,320 / 9.5e10 = 3.53205 ms + 2.7 us."""
    out = evaluate(["kv_transfer_bytes", "transfer_links", "kv_transfer_time_s"],
                   decode_kv_cache_bytes=([838_860_800.0], "B"), decode_batch=([2.0], ""),
                   decode_kv_held_tokens=([1280.0], "tok"), prompt_len=([1024], "tok"),
                   prefill_devices=([2.0], ""), decode_devices=([4.0], ""), nics_per_accelerator=([1.0], ""),
                   nic_bandwidth_bytes_per_s=([50e9], "B/s"), eta_link=([0.8], ""), scaleout_latency_s=([2.7e-6], "s"))
    assert out["kv_transfer_bytes"] == [335_544_320.0]
    assert out["transfer_links"] == [2.0]
    assert out["kv_transfer_time_s"][0] == pytest.approx(2.7e-6 + 335_544_320 / 9.5e10, rel=1e-12)
    assert out["kv_transfer_time_s"][0] == pytest.approx(3.5347455e-3, rel=1e-7)


def test_prefill_wait_of_an_md1_worker():
    """D = 0.2 s at rho = 0.5: mean wait rho D / (2 (1 - rho)) = 0.1 s (DistServe eq. 1 minus D);
    P99: D / (2 (1 - rho)) ln(rho / 0.01) = 0.2 ln 50 = 0.78240 s; at rho = 0.005 < 1 - 0.99 the
    99th percentile waits nothing."""
    out = evaluate(["prefill_queue_wait_s"], prefill_utilization=([0.5, 0.5, 0.005], ""),
                   prefill_service_s=([0.2, 0.2, 0.2], "s"), ttft_quantile=([None, 0.99, 0.99], ""))
    assert out["prefill_queue_wait_s"] == pytest.approx([0.1, 0.2 * math.log(50.0), 0.0], rel=1e-12)


def test_rate_matching_ttft_and_the_deployment_figures():
    """x = 2 prefill workers taking 2 requests/s each (rho = 2 x 0.2 = 0.4 at D = 0.2 s) and y = 3
    decode workers of 64 sequences at 25 ms per token over G = 256 tokens: 64 / (256 x 0.025) = 10
    requests/s each. The prefill pool binds: min(2 x 2, 3 x 10) = 4 requests/s; with 20 prefill
    workers the decode pool does: min(40, 30) = 30. At 4 requests/s each prefill worker runs at
    rho = 4 / 2 x 0.2 = 0.4: mean TTFT = 0.4 x 0.2 / 1.2 + 0.2 + 0.005 = 0.271667 s. GPUs 2 x 2 +
    3 x 4 = 16; 4 x 256 / 16 = 64 tok/s per GPU; 1 / 0.025 = 40 tok/s per user; 16 x $3 per hour
    over 1,024 tok/s = 48 / 3,686,400 $/tok = $13.0208 per million tokens."""
    cols = dict(prefill_workers=([2.0, 20.0], ""), prefill_rate_per_worker=([2.0, 2.0], "1/s"),
                decode_workers=([3.0, 3.0], ""), decode_batch=([64.0, 64.0], ""), decode_tpot_s=([0.025, 0.025], "s"),
                generated_tokens=([256.0, 256.0], "tok"), prefill_service_s=([0.2, 0.2], "s"),
                prefill_batch=([1.0, 1.0], ""))
    out = evaluate(["decode_capacity_requests_per_s", "disaggregated_request_rate", "prefill_worker_utilization"],
                   **cols)
    assert out["decode_capacity_requests_per_s"] == pytest.approx([10.0, 10.0])
    assert out["disaggregated_request_rate"] == pytest.approx([4.0, 30.0])
    assert out["prefill_worker_utilization"] == pytest.approx([0.4, 0.3])
    out = evaluate(["prefill_queue_wait_s", "disaggregated_ttft_s"], prefill_utilization=([0.4], ""),
                   prefill_service_s=([0.2], "s"), ttft_quantile=([None], ""), kv_transfer_time_s=([0.005], "s"))
    assert out["disaggregated_ttft_s"] == pytest.approx([0.4 * 0.2 / 1.2 + 0.2 + 0.005])
    out = evaluate(["disaggregated_gpus", "deployment_tokens_per_s_per_gpu", "deployment_tokens_per_s_per_user",
                    "deployment_cost_per_million_tokens_usd", "meets_sla"],
                   prefill_workers=([2.0], ""), prefill_devices=([2.0], ""), decode_workers=([3.0], ""),
                   decode_devices=([4.0], ""), deployment_request_rate=([4.0], "1/s"),
                   generated_tokens=([256.0], "tok"), deployment_gpus=([16.0], ""), deployment_tpot_s=([0.025], "s"),
                   usd_per_gpu_hour=([3.0], "USD/h"), deployment_ttft_s=([0.27], "s"), ttft_sla_s=([0.5], "s"),
                   tpot_sla_s=([0.02], "s"))
    assert out["disaggregated_gpus"] == [16.0]
    assert out["deployment_tokens_per_s_per_gpu"] == pytest.approx([64.0])
    assert out["deployment_tokens_per_s_per_user"] == pytest.approx([40.0])
    assert out["deployment_cost_per_million_tokens_usd"] == pytest.approx([48 / 3_686_400 * 1e6])
    assert out["meets_sla"] == [False]  # TPOT 25 ms > 20 ms


def test_a_prefill_worker_batching_prompts_is_a_batch_service_queue():
    """b = 4 prompts per pass of D = 0.5 s: capacity b / D = 8 requests/s; at rho* = 0.75, 6
    requests/s. Two workers at 6 requests/s run at rho = 6 / 2 x 0.5 / 4 = 0.375; the mean wait is
    M/D/1's at that rho with the batch's pass, 0.375 x 0.5 / (2 x 0.625) = 0.15 s, and at b = 1
    (DistServe's worker) the same formulas give rho = 1.5: the batch quadruples the worker's rate."""
    out = evaluate(["prefill_rate_per_worker"], prefill_rho_star=([0.75, 1.0], ""), prefill_service_s=([0.5, 0.5], "s"),
                   prefill_batch=([4.0, 4.0], ""))
    assert out["prefill_rate_per_worker"] == pytest.approx([6.0, 8.0], rel=1e-12)
    out = evaluate(["prefill_worker_utilization"], disaggregated_request_rate=([6.0, 6.0], "1/s"),
                   prefill_workers=([2.0, 2.0], ""), prefill_service_s=([0.5, 0.5], "s"), prefill_batch=([4.0, 1.0], ""))
    assert out["prefill_worker_utilization"] == pytest.approx([0.375, 1.5], rel=1e-12)
    out = evaluate(["prefill_queue_wait_s"], prefill_utilization=([0.375], ""), prefill_service_s=([0.5], "s"),
                   ttft_quantile=([None], ""))
    assert out["prefill_queue_wait_s"] == pytest.approx([0.15], rel=1e-12)
