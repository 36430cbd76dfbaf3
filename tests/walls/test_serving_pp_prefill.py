"""Wall 4's static-batch prefill micro-batched over pipeline stages, against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def _wall4(columns: dict, outputs: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: None if u is None else unit(u) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, formulas.REGISTRY | SERVING).frame.collect()


def _columns(pass_s: list[float], sequences: list[float], pp: list[float], n_layers: list[int],
             weights_bytes: float = 1e9) -> dict:
    """Inputs of ``ttft_s``: the batch's whole prefill pass as given, an H100's 3.35 TB/s at eta_memory 0.8."""
    n = len(pass_s)
    return {"prefill_pass_time_s": (pass_s, "s"), "prefill_sequences": (sequences, ""), "pp": (pp, ""),
            "n_layers": (n_layers, ""), "is_feasible": ([True] * n, None),
            "weights_per_device_bytes": ([weights_bytes] * n, "B"),
            "memory_bandwidth_bytes_per_s": ([3.35e12] * n, "B/s"), "eta_memory": ([0.8] * n, "")}


def test_pp1_is_the_pass_itself():
    """Without PP the batch's prefill is its pass: 24.48 s stays 24.48 s exactly (one micro-batch, no fill)."""
    out = _wall4(_columns([24.48, 0.003], [1024.0, 3.0], [1.0, 1.0], [80, 80]), ["ttft_s"])
    assert out["ttft_s"].to_list() == [24.48, 0.003]


def test_cisco_offline_pp2_fill_by_hand():
    """Cisco's v5.1 Llama 2 70B Offline row as pp2 left it (CHANGELOG.md, pp2: TP1 x PP2, b 1,024, the batch's
    prefill 24.48 s through both stages, a decode round 67.55 ms, 293 generated tokens). Two micro-batches of 512
    prompts, each 24.48 / 2 (its prompts) / 2 (its 40 of 80 layers) = 6.12 s on a stage; the second leaves the
    last stage after m + pp - 1 = 3 stage times: 18.36 s (unpipelined: 24.48 s). The throughput pays each stage's
    busy time, m = 2 stage times = 12.24 s (the fill's third slot goes to the next wave): 12.24 + 292 x 0.06755 =
    31.9646 s, batch throughput 1,024 x 293 / 31.9646 = 300,032 / 31.9646 = 9,386.4 tok/s per pair."""
    columns = _columns([24.48], [1024.0], [2.0], [80]) | {"itl_s": ([0.06755], "s"), "batch": ([1024.0], ""),
                                                         "generated_tokens": ([293.0], "tok"),
                                                         "attention_dp_stall_s": ([0.0], "s")}  # no EP
    out = _wall4(columns, ["prefill_microbatches", "prefill_microbatch_stage_time_s", "ttft_s", "prefill_busy_s",
                           "batch_tokens_per_s"])
    assert out["prefill_microbatches"][0] == 2.0
    assert out["prefill_microbatch_stage_time_s"][0] == pytest.approx(6.12, rel=1e-12)
    assert out["ttft_s"][0] == pytest.approx(18.36, rel=1e-12)
    assert out["prefill_busy_s"][0] == pytest.approx(12.24, rel=1e-12)
    assert out["batch_tokens_per_s"][0] == pytest.approx(1024 * 293 / (12.24 + 292 * 0.06755), rel=1e-12)
    assert out["batch_tokens_per_s"][0] == pytest.approx(9386.4, abs=0.1)


def test_without_pp_the_wave_is_the_request():
    """pp 1: the busy time is the e2e latency, 24.48 + 292 x 0.06755 = 44.2046 s, 300,032 / 44.2046 = 6,787.4 tok/s;
    the pp 4 bubble case (6 prompts, m 3, stage 0.1 s): busy 3 x 0.1 = 0.3 s against the fill's 0.6 s."""
    columns = _columns([24.48, 1.2], [1024.0, 6.0], [1.0, 4.0], [80, 80], weights_bytes=1.0) | {
        "itl_s": ([0.06755, 0.05], "s"), "batch": ([1024.0, 6.0], ""), "generated_tokens": ([293.0, 11.0], "tok"),
        "attention_dp_stall_s": ([0.0, 0.0], "s")}
    out = _wall4(columns, ["ttft_s", "prefill_busy_s", "e2e_latency_s", "wave_busy_s", "batch_tokens_per_s"])
    assert out["wave_busy_s"][0] == pytest.approx(out["e2e_latency_s"][0], rel=1e-12)
    assert out["batch_tokens_per_s"][0] == pytest.approx(6787.4, abs=0.1)
    assert out["prefill_busy_s"].to_list() == pytest.approx([24.48, 0.3], rel=1e-12)
    assert out["ttft_s"][1] == pytest.approx(0.6, rel=1e-12)
    assert out["wave_busy_s"][1] == pytest.approx(0.3 + 10 * 0.05, rel=1e-12)


def test_bubble_and_a_lone_prompt():
    """pp 4, 80 layers (20 a stage), 6 prompts: micro-batches of ceil(6 / 4) = 2 prompts, m = ceil(6 / 2) = 3;
    a stage time 1.2 s x 1/4 x 2/6 = 0.1 s, the fill (3 + 4 - 1) x 0.1 = 0.6 s: busy 3 x 4 stage-slots of the
    6 x 4, GPipe's bubble (p - 1) / (m + p - 1) = 3 / 6. One prompt at pp 2: m = 1, it crosses both halves,
    2 x 0.5 x 0.8 s = the whole 0.8 s pass."""
    out = _wall4(_columns([1.2, 0.8], [6.0, 1.0], [4.0, 2.0], [80, 80], weights_bytes=1.0), ["ttft_s"])
    assert out["ttft_s"].to_list() == pytest.approx([0.6, 0.8], rel=1e-12)


def test_a_memory_bound_microbatch_reads_the_stages_weights():
    """pp 2, 2 prompts whose 10 ms pass is memory-bound: a 1-prompt micro-batch cannot take 10 x 1/2 x 1/2 = 2.5 ms
    on a stage that holds 35 GB (Llama 2 70B's half at 16 bits): it reads them once, 35e9 / (3.35e12 x 0.8) =
    13.06 ms, so the fill is 3 x 13.06 = 39.18 ms."""
    out = _wall4(_columns([0.010], [2.0], [2.0], [80], weights_bytes=35e9), ["ttft_s"])
    assert out["ttft_s"][0] == pytest.approx(3 * 35e9 / (3.35e12 * 0.8), rel=1e-12)
    assert out["ttft_s"][0] == pytest.approx(0.03918, abs=1e-5)
