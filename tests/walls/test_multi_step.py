"""Wall 7 under multi-step scheduling (pipeline.walls.multi_step) by hand: a busy replica's arrival waits the rest
of the block of N steps, (N - 1) / 2 mean iterations; an idle replica's does not; one step per call changes nothing."""

from __future__ import annotations

import pytest

from tests.walls.test_closed_loop_saturation import _wall7

# the case of test_tail_latency.test_continuous_batching_by_hand: tau_p 0.1 s, d = 10 + 2 ms, G 10, 2 requests/s:
# rho 0.2, E[C] = 15 ms; the median arrival finds the replica idle, P99 finds it busy
CASE = {"request_rate": ([2.0, 2.0, 2.0], "1/s"), "replicas": ([1.0] * 3, ""),
        "prefill_time_one_request_s": ([0.1] * 3, "s"), "prefill_stage_share": ([1.0] * 3, ""),
        "itl_at_load_s": ([0.01] * 3, "s"), "scheduler_overhead_per_iteration_s": ([0.002] * 3, "s"),
        "output_len": ([10] * 3, "tok"), "reasoning_tokens": ([0] * 3, "tok"), "is_stable": ([True] * 3, None),
        "concurrency": ([None] * 3, ""), "closed_loop_ttft_mean_s": ([None] * 3, "s"),
        "closed_loop_saturated": ([False] * 3, None), "capacity_requests_per_s": ([1.0] * 3, "1/s"),
        "scheduler_steps": ([1.0, 9.0, 8.0], "")}


def test_the_block_wait_by_hand():
    """E[C] = 15 ms: N = 9 waits 4 x 15 = 60 ms, N = 8 3.5 x 15 = 52.5 ms, N = 1 nothing."""
    out = _wall7(CASE, ["scheduler_block_wait_s", "load_iteration_mean_s"])
    assert out["load_iteration_mean_s"].to_list() == pytest.approx([0.015] * 3)
    assert out["scheduler_block_wait_s"].to_list() == pytest.approx([0.0, 0.060, 0.0525])


def test_a_busy_arrival_waits_the_block_an_idle_one_does_not():
    """P50 finds the replica idle (share 0.8 e^-0.3 = 0.59): tau_p whatever N; P99 and the mean add the block's
    wait on the busy share: P99 + 60 ms at N = 9; mean + (1 - idle) x 60 ms."""
    out = _wall7(CASE, ["ttft_p50_s", "ttft_p99_s", "ttft_mean_s", "load_idle_share"])
    assert out["ttft_p50_s"].to_list() == pytest.approx([0.1] * 3)
    assert out["ttft_p99_s"][1] - out["ttft_p99_s"][0] == pytest.approx(0.060)
    assert out["ttft_p99_s"][2] - out["ttft_p99_s"][0] == pytest.approx(0.0525)
    busy = 1.0 - out["load_idle_share"][0]
    assert out["ttft_mean_s"][1] - out["ttft_mean_s"][0] == pytest.approx(busy * 0.060)
