"""Attention DP under in-flight batching (pipeline.walls.expert_parallel.attention_dp_*): with the groups' contexts
unaligned (serving.attention_dp_unaligned), a group's context holds every group's decode iteration (TensorRT-LLM
tech blog 10, ADP balance). Hand values."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING

UNITS = {"attention_group_sequences": unit(""), "generated_tokens": unit("tok"), "attention_dp": unit(""),
         "prefill_pass_time_s": unit("s"), "prefill_mlp_class_time_s": unit("s"), "prefill_sequences": unit(""),
         "attention_dp_unaligned": None}
SHARE = 1.0 - (15.0 / 16.0) ** 8 - 1.0 / 16.0  # 8 groups, q = 1/16: some group 0.403281, aligned 0.0625


def _stall(rows: dict[str, list]) -> pl.DataFrame:
    columns = ["attention_dp_context_share", "attention_dp_stall_share", "attention_dp_context_time_s",
               "attention_dp_stall_s"]
    return formulas.plan(pl.DataFrame(rows).lazy(), UNITS, columns, SERVING).frame.collect()


def test_stall_is_the_unaligned_share_of_contexts_times_one_context_outside_the_mlp():
    """128 sequences per group over 2,048 generated tokens: q = 1/16 of a group's iterations run a context. Eight
    independent groups: some group in 1 - (15/16)^8 = 0.403281 of them ((15/16)^8 = 0.596719), aligned in 1/16, so
    0.340781 stall. One context: (13.0 - 6.6) s / 128 = 50 ms; the stall 0.340781 x 50 ms = 17.04 ms. One group
    (n = 1): no stall; a group whose sequences exceed the generated tokens (q clipped to 1): every iteration has all
    groups' contexts, none; aligned (the knob off): none."""
    out = _stall({"attention_group_sequences": [128.0, 128.0, 4096.0, 128.0], "generated_tokens": [2048.0] * 4,
                  "attention_dp": [8.0, 1.0, 8.0, 8.0], "prefill_pass_time_s": [13.0] * 4,
                  "prefill_mlp_class_time_s": [6.6] * 4, "prefill_sequences": [128.0] * 4,
                  "attention_dp_unaligned": [True, True, True, False]})
    assert SHARE == pytest.approx(0.340781, abs=1e-6)
    assert out["attention_dp_context_share"].to_list() == pytest.approx([0.0625, 0.0625, 1.0, 0.0625])
    assert out["attention_dp_context_time_s"][0] == pytest.approx(0.05)
    assert out["attention_dp_stall_share"][0] == pytest.approx(SHARE)
    assert out["attention_dp_stall_s"].to_list() == pytest.approx([SHARE * 0.05, 0.0, 0.0, 0.0], abs=1e-15)


SPEC = {"study": "serving", "axes": {"model": ["DeepSeek-R1"], "hardware": ["H200 SXM 141GB"], "precision": ["fp8"],
                                     "batch": [1024], "tp": [1], "pp": [1], "ep": [8], "prompt_len": [1024],
                                     "output_len": [2048]}}


def test_r1_on_h200_with_attention_dp8_waits_in_e2e_not_in_itl():
    """DeepSeek-R1 FP8 on 8 H200, attention DP8 inside EP8, 1,024 sequences (128 per group), 1K in / 2K out (the
    TensorRT-LLM max-throughput layout). Unaligned: e2e = TTFT + 2,047 x (ITL + stall), the stall the share above x
    the prefill pass outside the MLP per sequence, ITL and the decode-only throughput (batch / ITL) as aligned;
    aligned (the default): no stall, e2e = TTFT + 2,047 x ITL."""
    aligned, unaligned = (pipeline.sweep(SPEC | {"serving": {"attention_dp_unaligned": on}}).row(0, named=True)
                          for on in (False, True))
    assert unaligned["attention_dp_unaligned"] and not aligned["attention_dp_unaligned"]
    outside_mlp = (unaligned["ttft_s"] - unaligned["prefill_mlp_class_time_s"]) / 128.0  # pp = 1: pass = TTFT
    assert unaligned["attention_dp_stall_s"] == pytest.approx(SHARE * outside_mlp, rel=1e-9)
    assert unaligned["e2e_latency_s"] == pytest.approx(
        unaligned["ttft_s"] + 2047 * (unaligned["itl_s"] + unaligned["attention_dp_stall_s"]), rel=1e-12)
    assert unaligned["itl_s"] == aligned["itl_s"] and unaligned["tokens_per_s"] == aligned["tokens_per_s"]
    assert aligned["attention_dp_stall_s"] == 0.0
    assert aligned["e2e_latency_s"] == pytest.approx(aligned["ttft_s"] + 2047 * aligned["itl_s"], rel=1e-12)
    assert unaligned["batch_tokens_per_s"] < aligned["batch_tokens_per_s"]
