"""Attention DP under in-flight batching (pipeline.walls.expert_parallel.attention_dp_*): a group's context holds
every group's decode iteration (TensorRT-LLM tech blog 10, ADP balance). Hand values."""

from __future__ import annotations

import math

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING

UNITS = {"attention_group_sequences": unit(""), "generated_tokens": unit("tok"), "attention_dp": unit(""),
         "prefill_pass_time_s": unit("s"), "prefill_mlp_class_time_s": unit("s"), "prefill_sequences": unit("")}


def _stall(rows: dict[str, list[float]]) -> pl.DataFrame:
    columns = ["attention_dp_context_share", "attention_dp_stall_share", "attention_dp_context_time_s",
               "attention_dp_stall_s"]
    return formulas.plan(pl.DataFrame(rows).lazy(), UNITS, columns, SERVING).frame.collect()


def test_stall_is_the_unaligned_share_of_contexts_times_one_context_outside_the_mlp():
    """128 sequences per group over 2,048 generated tokens: q = 1/16 of a group's iterations run a context. Eight
    independent groups: some group in 1 - (15/16)^8 = 0.40328 of them ((15/16)^8 = 0.596719), aligned in 1/16, so
    0.340781 stall. One
    context: (13.0 - 6.6) s / 128 = 50 ms; the stall 0.340781 x 50 ms = 17.04 ms. One group (n = 1): no stall; a
    group whose sequences exceed the generated tokens (q clipped to 1): every iteration aligned, none."""
    out = _stall({"attention_group_sequences": [128.0, 128.0, 4096.0], "generated_tokens": [2048.0] * 3,
                  "attention_dp": [8.0, 1.0, 8.0], "prefill_pass_time_s": [13.0] * 3,
                  "prefill_mlp_class_time_s": [6.6] * 3, "prefill_sequences": [128.0] * 3})
    share = 1.0 - (15.0 / 16.0) ** 8 - 1.0 / 16.0
    assert share == pytest.approx(0.340781, abs=1e-6)
    assert out["attention_dp_context_share"].to_list() == pytest.approx([0.0625, 0.0625, 1.0])
    assert out["attention_dp_context_time_s"][0] == pytest.approx(0.05)
    assert out["attention_dp_stall_share"][0] == pytest.approx(share)
    assert out["attention_dp_stall_s"].to_list() == pytest.approx([share * 0.05, 0.0, 0.0], abs=1e-15)


def test_r1_on_h200_with_attention_dp8_waits_in_e2e_not_in_itl():
    """DeepSeek-R1 FP8 on 8 H200, attention DP8 inside EP8, 1,024 sequences (128 per group), 1K in / 2K out (the
    TensorRT-LLM max-throughput layout): e2e = TTFT + 2,047 x (ITL + stall), the stall the share above x the
    prefill pass outside the MLP per sequence; TP8 without EP (batch 64, what its KV cache holds): none."""
    def one(tp: int, ep: int, batch: int) -> dict:
        return pipeline.evaluate_serving("DeepSeek-R1", "H200 SXM 141GB", batch=batch, tp=tp, ep=ep, prompt_len=1024,
                                         output_len=2048, compute_dtype="fp8", framework="TensorRT-LLM").row(
            0, named=True)
    dp, plain = one(1, 8, 1024), one(8, 1, 64)
    share = 1.0 - (15.0 / 16.0) ** 8 - 1.0 / 16.0
    outside_mlp = (dp["ttft_s"] - dp["prefill_mlp_class_time_s"]) / 128.0  # pp = 1: the pass is the TTFT
    assert dp["attention_dp_stall_s"] == pytest.approx(share * outside_mlp, rel=1e-9)
    assert dp["e2e_latency_s"] == pytest.approx(dp["ttft_s"] + 2047 * (dp["itl_s"] + dp["attention_dp_stall_s"]))
    assert dp["tokens_per_s"] == pytest.approx(1024 / dp["itl_s"])  # a decode-only pool's throughput: no stall
    assert plain["attention_dp_stall_s"] == 0.0
    assert plain["e2e_latency_s"] == pytest.approx(plain["ttft_s"] + 2047 * plain["itl_s"])
    assert math.isfinite(dp["batch_tokens_per_s"])
