"""Wall 7's burst as a whole run (pipeline.walls.burst: burst_makespan_s, burst_tokens_per_s): whole waves, the last
partial, worked by hand; the discrete-event simulation's agreement is in tests/validation/test_burst.py."""

from __future__ import annotations

import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING

UNITS = {"burst_requests": unit(""), "load_batch_cap": unit(""), "prefill_chunk_tokens": unit("tok"),
         "prefill_new_tokens": unit("tok"), "generated_tokens": unit("tok"), "burst_prefill_iteration_s": unit("s"),
         "scheduler_overhead_per_iteration_s": unit("s"), "burst_decode_tpot_s": unit("s"),
         "burst_decode_last_s": unit("s")}
NO_CHUNK = {"prefill_chunk_tokens": None, "prefill_new_tokens": 100.0, "generated_tokens": 10.0,
            "burst_prefill_iteration_s": 1.0, "scheduler_overhead_per_iteration_s": 0.0}


def _run(**values) -> dict:
    outputs = ["burst_last_batch", "burst_makespan_s", "burst_tokens_per_s"]
    return formulas.compile_scalar(UNITS, outputs, formulas.REGISTRY | SERVING)(values)


def test_two_full_waves_by_hand():
    """8 requests, cap 4, no chunking: wave 1 prefills in one 1 s pass, decodes 9 more tokens at 10 ms (done at
    1.09 s), wave 2 the same (2.18 s); the closed form charges G = 10 decode passes per wave: 2 x 1.1 = 2.2 s,
    80 tokens / 2.2 s = 36.4 tok/s."""
    out = _run(burst_requests=8.0, load_batch_cap=4.0, burst_decode_tpot_s=0.01, burst_decode_last_s=0.01,
               **NO_CHUNK)
    assert out["burst_last_batch"] == 4.0
    assert out["burst_makespan_s"] == pytest.approx(2.18, rel=0.01)
    assert out["burst_tokens_per_s"] == pytest.approx(80 / 2.2)


def test_a_partial_last_wave_by_hand():
    """6 requests, cap 4: the last wave holds 2; its prompts cost half a full wave's prefill pass (0.5 s), its
    decode the same 10 ms a pass (weights-bound): 1.1 + 0.5 + 0.1 = 1.7 s, not the fluid 1.5 x 1.1 = 1.65 s."""
    out = _run(burst_requests=6.0, load_batch_cap=4.0, burst_decode_tpot_s=0.01, burst_decode_last_s=0.01,
               **NO_CHUNK)
    assert out["burst_last_batch"] == 2.0
    assert out["burst_makespan_s"] == pytest.approx(1.7)


def test_decode_bound_run_pays_the_last_wave_whole():
    """trtllm-bench's 1000/1000 run of 3,000 requests at a cap of 2,048, decode at 20 ms a pass whatever the batch
    and prefill free: two waves of 1,000 passes, 40 s, 75,000 tok/s; the fluid N / W = 1.46 waves would say
    29.3 s (102,400 tok/s, 37 % more)."""
    out = _run(burst_requests=3000.0, load_batch_cap=2048.0, prefill_chunk_tokens=None, prefill_new_tokens=1000.0,
               generated_tokens=1000.0, burst_prefill_iteration_s=0.0, scheduler_overhead_per_iteration_s=0.0,
               burst_decode_tpot_s=0.02, burst_decode_last_s=0.02)
    assert out["burst_last_batch"] == 952.0
    assert out["burst_makespan_s"] == pytest.approx(40.0)
    assert out["burst_tokens_per_s"] == pytest.approx(75_000.0)


def test_one_wave_when_the_cap_holds_every_request():
    out = _run(burst_requests=3.0, load_batch_cap=4.0, burst_decode_tpot_s=0.01, burst_decode_last_s=0.01,
               **NO_CHUNK)
    assert out["burst_last_batch"] == 3.0
    assert out["burst_makespan_s"] == pytest.approx(10 * 0.01 + 1.0)
