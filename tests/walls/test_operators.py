"""The shared layout terms of pipeline.walls.operators, by hand."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING, TRAINING


def pipeline_end(**columns) -> list[float]:
    frame = pl.DataFrame(columns)
    units = {c: (None if c == "is_tied_embeddings" else unit("param" if c.endswith("params") else ""))
             for c in columns}
    plan = formulas.plan(frame.lazy(), units, ["pipeline_end_params_per_device"])
    return plan.frame.collect()["pipeline_end_params_per_device"].to_list()


def test_pipeline_end_keeps_a_tied_lm_head_on_the_last_stage():
    """Vocabulary 1,000 x d 10: embedding and LM head 10,000 parameters each, final norm 10, tp 2.
    One stage: (embedding + head unless tied + norm x tp) / tp; tied 10,020 / 2 = 5,010, untied
    20,020 / 2 = 10,010. Two stages: the larger of the first (embedding) and the last (its own
    LM head, a copy when tied, Megatron-LM, + norm x tp): 10,020 / 2 = 5,010 tied or not; a
    12,000-parameter embedding (learned positions) is the larger end: 6,000."""
    got = pipeline_end(embedding_params=[10_000.0, 10_000.0, 10_000.0, 10_000.0, 12_000.0],
                       lm_head_params=[10_000.0] * 5, final_norm_params=[10.0] * 5,
                       is_tied_embeddings=[True, False, True, False, True], tp=[2.0] * 5,
                       pp=[1.0, 1.0, 2.0, 2.0, 2.0])
    assert got == pytest.approx([5_010.0, 10_010.0, 5_010.0, 5_010.0, 6_000.0], rel=1e-15)


def test_serving_and_training_share_the_pipeline_end():
    """One implementation of the term (issue 11): both studies' weight formulas read it."""
    assert "pipeline_end_params_per_device" in SERVING["weights_per_device_bytes"].inputs
    assert "pipeline_end_params_per_device" in TRAINING["params_per_gpu"].inputs


def test_a_tied_model_on_two_stages_holds_its_lm_head_on_the_last():
    """Gemma 2 9B (42 layers, vocabulary 256,000 x d 3,584, tied, RMSNorm) at fp16, tp 1: with two
    stages the fullest device holds 21 layers and the LM head copy + final norm, with one stage all
    42 layers, the embedding and the norm, so w(pp 2) - w(pp 1) / 2 = (V d + d) / 2 x 2 B
    = 256,000 x 3,584 + 3,584 = 917,507,584 B (the old serving convention gave V d - d)."""
    one, two = (pipeline.evaluate_serving("Gemma 2 9B", "H100 SXM5 80GB", pp=pp).row(0, named=True)
                for pp in (1, 2))
    assert two["weights_per_device_bytes"] - one["weights_per_device_bytes"] / 2 == 917_507_584


def test_decode_kv_reads_by_hand():
    """Times decode streams each cached K/V head (r-tpsdev): Llama 2 70B (64 query heads, 8 K/V heads) at tp 2
    holds 32 and 4 per device, so a kernel reading per query head streams each K/V head 32 / 4 = 8 times; without
    the knob once; MLA's latent is one shared head (DeepSeek-V3, 128 heads): once; at tp 16 each device holds
    64 / 16 = 4 query heads and a replica of one K/V head: 4."""
    frame = pl.DataFrame({"kv_read_per_query_head": [True, False, True, True], "is_mla": [False, False, True, False],
                          "n_heads": [64.0, 64.0, 128.0, 64.0], "tp": [2.0, 2.0, 1.0, 16.0],
                          "kv_heads_per_device": [4.0, 4.0, 1.0, 1.0]})
    units = {c: None if c in ("kv_read_per_query_head", "is_mla") else unit("") for c in frame.columns}
    got = formulas.plan(frame.lazy(), units, ["decode_kv_reads"]).frame.collect()["decode_kv_reads"].to_list()
    assert got == [8.0, 1.0, 1.0, 4.0]


def test_reading_kv_per_query_head_adds_its_bytes_to_every_decode_step():
    """Llama 2 70B, FP8 weights and KV, tp 2, batch 64, 2048 + 2048 tokens on an H100 SXM5 (3.35 TB/s): decode
    reads the mean context 2048 + 2048 / 2 = 3,072 tokens x 2 x 4 K/V heads x 128 x 1 B per layer and sequence;
    read 8 times instead of once, the 80 layers move 7 x 64 x 3,072 x 1,024 x 80 = 112.7 GB more per step,
    which at the bandwidth x the kernel catalog's memory fraction (eta_memory) is the ITL's difference."""
    axes = {"model": ["Llama 2 70B"], "hardware": ["H100 SXM5 80GB"], "batch": [64], "tp": [2], "prompt_len": [2048],
            "output_len": [2048], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"], "kv_dtype": ["fp8"]}
    rows = [pipeline.sweep({"study": "serving", "axes": axes, "serving": {"kv_read_per_query_head": flag},
                            "efficiency": {"framework": "TensorRT-LLM"}}).row(0, named=True) for flag in (False, True)]
    extra_bytes = 7 * 64 * 3_072 * 1_024 * 80
    assert extra_bytes == pytest.approx(112.7e9, rel=1e-3)
    assert rows[1]["itl_s"] - rows[0]["itl_s"] == pytest.approx(extra_bytes / (3.35e12 * rows[0]["eta_memory"]),
                                                                 rel=1e-9)
