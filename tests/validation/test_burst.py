"""Wall 7's burst (all requests at t = 0, pipeline.walls.burst) against cases worked by hand and
against the discrete-event simulation of the same policy (issue 12 item 4): mean TTFT and mean
TPOT within 10 % at several (requests, batch cap) points."""

from __future__ import annotations

import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.validation.burst_check import compare
from pipeline.walls.registries import SERVING

BASE = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["bf16"], "tp": [1],
        "prompt_len": [467], "output_len": [256]}
POINTS = [  # (requests, batch cap, other axes): one wave, waves by the cap, prefill longer than decode
    (64, 512, {}), (500, 512, {}), (500, 128, {}), (300, 32, {}), (500, 512, {"output_len": [16]}),
    (500, 64, {"output_len": [16]}), (200, 512, {"prompt_len": [2048], "output_len": [128]}),
    # trtllm-bench-like runs: several waves, the last partial (the run's output tokens over its makespan)
    (700, 256, {"prompt_len": [128], "output_len": [128]}), (3000, 512, {"prompt_len": [2048], "output_len": [128]})]


@pytest.mark.parametrize(("requests", "cap", "axes"), POINTS, ids=[f"N{n}-B{b}" for n, b, _ in POINTS])
def test_closed_form_matches_the_simulation(catalogs, requests, cap, axes):
    point = compare(BASE | {"batch": [cap]} | axes, "TensorRT-LLM", requests, catalogs)
    for column in ("burst_ttft_mean_s", "burst_tpot_mean_s", "burst_tokens_per_s"):
        assert abs(point[f"error_{column}"]) <= 0.10, (column, point)


UNITS = {"burst_requests": unit(""), "load_batch_cap": unit(""), "prefill_chunk_tokens": unit("tok"),
         "prefill_new_tokens": unit("tok"), "generated_tokens": unit("tok"), "burst_prefill_iteration_s": unit("s"),
         "scheduler_overhead_per_iteration_s": unit("s"), "burst_decode_ttft_s": unit("s"),
         "burst_decode_tpot_s": unit("s")}


def _closed(**values) -> dict:
    outputs = ["burst_prefill_batch", "burst_ttft_mean_s", "burst_tpot_mean_s"]
    return formulas.compile_scalar(UNITS, outputs, formulas.REGISTRY | SERVING)(values)


def test_ten_requests_through_a_token_budget_by_hand():
    """10 prompts of 1,000 tokens, budget 2,000 tokens per iteration (less the ~5 sequences decoding):
    two prompts finish per iteration, in iterations 1, 1, 2, 2, ..., 5, 5: mean TTFT 3 iterations of
    (decode 10 ms + prefill 1 s); each then decodes 100 tokens beside the 4, 4, 3, 3, ..., 0, 0 prefill
    iterations still to come (mean 2): TPOT = 10 ms + 2 x 1 s / 100 = 30 ms."""
    out = _closed(burst_requests=10.0, load_batch_cap=16.0, prefill_chunk_tokens=2000.0, prefill_new_tokens=1000.0,
                  generated_tokens=101.0, burst_prefill_iteration_s=1.0, scheduler_overhead_per_iteration_s=0.0,
                  burst_decode_ttft_s=0.01, burst_decode_tpot_s=0.01)
    assert out["burst_prefill_batch"] == pytest.approx(1.995)  # 2,000 - 5 decoding tokens
    assert out["burst_ttft_mean_s"] == pytest.approx(3.0 * 1.01, rel=0.01)
    assert out["burst_tpot_mean_s"] == pytest.approx(0.03, rel=0.01)


def test_two_waves_without_a_budget_by_hand():
    """8 requests, cap 4, no chunking: the first 4 prefill in one 1 s iteration, decode their 9 other
    tokens (10 ms each), then the next 4 prefill: TTFT 1 s and 1 + 9 x 10 ms + 1 s, mean 1.545 s (the
    closed form charges the period G = 10 decode passes, 5 ms more); no request decodes beside a
    prefill: TPOT = 10 ms."""
    out = _closed(burst_requests=8.0, load_batch_cap=4.0, prefill_chunk_tokens=None, prefill_new_tokens=100.0,
                  generated_tokens=10.0, burst_prefill_iteration_s=1.0, scheduler_overhead_per_iteration_s=0.0,
                  burst_decode_ttft_s=0.0, burst_decode_tpot_s=0.01)
    assert out["burst_prefill_batch"] == pytest.approx(4.0)
    assert out["burst_ttft_mean_s"] == pytest.approx((1.0 + 1.0 + 9 * 0.01 + 1.0) / 2, rel=0.01)
    assert out["burst_tpot_mean_s"] == pytest.approx(0.01)


def test_the_wave_columns_by_hand():
    """The columns every burst formula reads (pipeline.walls.burst: G - 1, W and q, computed once), 1,000-token
    prompts, budget 2,000 tokens per iteration:
    - 10 requests, cap 16, G = 101: one wave of W = 10, G - 1 = 100; half the wave (5) decodes beside each prefill
      iteration: q = 2,000 - 5 = 1,995.
    - 100 requests, cap 16, G = 11: waves of the cap, 16 x 10 / 11 = 14.5 decoding beside a prefill (below the
      plateau 2,000 x 10 / 1,010 = 19.8): q = 1,985.5; the wave's prefill takes 16,000 / 1,985.5 = 8.1 iterations,
      fewer than its 10 decode iterations: W = 16.
    - the same at G = 3: the plateau 2,000 x 2 / 1,002 = 3.99 caps the decoding, q = 1,996.0, and 16,000 / q = 8.0
      >= 2 decode iterations: the budget sets the pace, one wave of all W = 100, q = 2,000 - 3.99 again."""
    units = {c: UNITS[c] for c in ("burst_requests", "load_batch_cap", "prefill_chunk_tokens", "prefill_new_tokens",
                                   "generated_tokens")}
    wave = formulas.compile_scalar(units, ["burst_decode_iterations", "burst_wave_requests",
                                           "burst_wave_chunk_tokens"], formulas.REGISTRY | SERVING)
    one = wave({"burst_requests": 10.0, "load_batch_cap": 16.0, "prefill_chunk_tokens": 2000.0,
                "prefill_new_tokens": 1000.0, "generated_tokens": 101.0})
    assert (one["burst_decode_iterations"], one["burst_wave_requests"]) == (100.0, 10.0)
    assert one["burst_wave_chunk_tokens"] == pytest.approx(1995.0)
    capped = wave({"burst_requests": 100.0, "load_batch_cap": 16.0, "prefill_chunk_tokens": 2000.0,
                   "prefill_new_tokens": 1000.0, "generated_tokens": 11.0})
    assert capped["burst_wave_requests"] == 16.0
    assert capped["burst_wave_chunk_tokens"] == pytest.approx(2000.0 - min(16 * 10 / 11, 2000 * 10 / 1010))
    bound = wave({"burst_requests": 100.0, "load_batch_cap": 16.0, "prefill_chunk_tokens": 2000.0,
                  "prefill_new_tokens": 1000.0, "generated_tokens": 3.0})
    assert bound["burst_wave_requests"] == 100.0
    assert bound["burst_wave_chunk_tokens"] == pytest.approx(2000.0 - 2000 * 2 / 1002)


def test_a_qps_inf_row_with_its_request_count_is_a_burst():
    from pipeline.validation.predict import SPEC_INPUTS, measurement_spec

    row = dict.fromkeys(SPEC_INPUTS) | {
        "study": "serving", "metric": "itl_s", "framework": "TensorRT-LLM", "model": "Llama 3.1 70B",
        "hardware": "H100 SXM5 80GB", "compute_dtype": "bf16", "devices": 8, "tp": 4, "prompt_len": 467,
        "output_len": 256, "scenario": "server", "requests": 500}
    spec, reason = measurement_spec(row)
    assert reason is None and spec["burst"] == 250  # two replicas of tp 4 share the 500 requests
    assert "request_rate" not in spec["axes"]
    _, reason = measurement_spec(row | {"requests": None})
    assert "requests column" in reason


def test_bundled_burst_rows_are_predicted(bundled):
    """The 24 TensorRT-LLM 0.14 QPS INF TTFT and ITL rows (500 requests, perf-overview.md) all predicted."""
    import polars as pl

    rows = bundled.filter(pl.col("name").str.contains("-qpsinf-") & pl.col("metric").is_in(["ttft_s", "itl_s"]))
    assert rows.height == 24
    assert rows["predicted"].null_count() == 0, rows.filter(pl.col("predicted").is_null())["reason"].to_list()
