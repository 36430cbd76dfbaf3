"""Wall 7's capacity is the Offline steady state's throughput (registry_data/research/r-capsrv/README.md)."""

from __future__ import annotations

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single

AXES = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "tp": [1],
        "prompt_len": [1024], "output_len": [256]}


def _row(axes: dict) -> dict:
    spec = parse_spec({"study": "serving", "axes": AXES | axes, "efficiency": {"framework": "vLLM"}}, "capacity")
    return single.answer(spec, load_catalogs()).rows[0]


def test_capacity_is_the_offline_wave_at_the_cap_by_hand():
    """At saturation a replica runs a full batch, prompts admitted as sequences finish: the Offline steady state.
    So its capacity is the Offline formula's requests/s at the cap (wall 4's batch_tokens_per_s = b G / (prefill(b) +
    (G - 1) ITL(b)) over G), with one more round a request (wall 7 counts G rounds, the prompt's iteration among
    them): mu = b / (prefill(b) + G ITL(b)). Batch 64 (below the KV cap and the 8192-token budget): the Offline
    answer at batch 64 gives prefill(64) (``ttft_s``) and ITL(64) (``itl_s``, the scheduler's overhead in it); the
    capacity at a rate must be 64 / (ttft + 256 itl), within 1e-9; and the Offline tokens/s over G within 1 / G."""
    offline = _row({"batch": [64]})
    ttft, itl = offline["ttft_s"], offline["itl_s"]
    loaded = _row({"batch": [64], "request_rate": [1.0]})
    assert loaded["capacity_requests_per_s"] == pytest.approx(64 / (ttft + 256 * itl), rel=1e-9)
    assert loaded["capacity_requests_per_s"] * 256 == pytest.approx(offline["batch_tokens_per_s"], rel=1 / 256)
    # the budget-filling chunk's price (8 prompts of 1024 tokens a pass) is a second price the capacity no longer has
    chunk = _row({"batch": [8]})["ttft_s"] / 8
    assert chunk > ttft / 64 * 1.001
    assert loaded["capacity_requests_per_s"] > 64 / (64 * chunk + 256 * itl)
