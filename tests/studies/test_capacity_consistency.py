"""Wall 7's capacity consistent with the offline batch (issue 12 item 4): under continuous batching an
arriving prompt joins an iteration whose weight reads, launches and collective latencies the batch shares,
so its prefill costs the batched prefill per prompt, not a pass of its own."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.studies.serving import prefill_in_iteration


def test_prefill_in_iteration_by_hand():
    """Llama 2 70B fp8 on 2 x H100 (222-token prompt): alone 22.45 ms; 512 prompts in one pass 6.78 s ->
    6.78 / 512 = 13.242 ms per prompt. A batched pass slower per prompt than one alone keeps the alone time."""
    got = pl.select(a=prefill_in_iteration(pl.lit(0.02245), pl.lit(6.78), pl.lit(512.0)),
                    b=prefill_in_iteration(pl.lit(0.010), pl.lit(6.78), pl.lit(512.0))).row(0)
    assert got[0] == pytest.approx(6.78 / 512, rel=1e-12)
    assert got[1] == pytest.approx(0.010, rel=1e-12)


def test_capacity_is_the_offline_batch_per_request():
    """At a batch the KV cache holds (cap = batch b) and no scheduler overhead (TensorRT-LLM: 0), one request
    costs P(b) / b of prefill plus G decode rounds shared by b: mu = b / (P(b) + G x ITL(b)), with P(b) the
    offline TTFT of the batch and ITL(b) its inter-token latency (the offline row's own columns)."""
    axes = {"model": ["Llama 3.1 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "batch": [32],
            "prompt_len": [1024], "output_len": [128], "request_rate": [1.0]}
    r = pipeline.sweep({"study": "serving", "axes": axes, "efficiency": {"framework": "TensorRT-LLM"}}).row(
        0, named=True)
    assert r["max_batch_paged"] >= 32
    b, g = 32, 128
    assert r["capacity_requests_per_s"] == pytest.approx(b / (r["ttft_s"] + g * r["itl_s"]), rel=1e-4)


def test_capacity_formula_by_hand():
    """tau_b 10 ms per prompt (a batched prefill's share), G 100 tokens, ITL 50 ms at b_cap 10: one request costs
    10 ms + 100 x 50 ms / 10 = 510 ms, mu = 1 / 0.51 s = 1.96078 requests/s; one prompt alone (40 ms) is not read."""
    from pipeline import formulas
    from pipeline.units import unit
    from pipeline.walls.registries import SERVING

    values = {"prefill_time_batched_per_request_s": (0.010, "s"), "prefill_time_one_request_s": (0.040, "s"),
              "generated_tokens": (100.0, "tok"), "itl_at_batch_cap_s": (0.050, "s"), "load_batch_cap": (10.0, "")}
    frame = pl.DataFrame({k: [v] for k, (v, _) in values.items()}).lazy()
    units = {k: unit(u) for k, (_, u) in values.items()}
    out = formulas.plan(frame, units, ["capacity_requests_per_s"], formulas.REGISTRY | SERVING).frame.collect()
    assert out["capacity_requests_per_s"][0] == pytest.approx(1 / 0.51, rel=1e-12)
