"""A serving pass's sampling kernels and TP logits gather (pipeline.walls.sampling) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit

# Llama 3.1 8B's vocabulary (config.json of meta-llama/Llama-3.1-8B: vocab_size 128256); H100 SXM5 3.35 TB/s;
# eta_memory 0.9 and alpha 4 us picked for round numbers.
VOCAB, BW, ETA, ALPHA = 128_256.0, 3.35e12, 0.9, 4e-6


def evaluate(outputs: list[str], sequences: list[float]) -> dict[str, list]:
    n = len(sequences)
    columns = {"decode_logit_tokens": (sequences, "tok"), "vocab_size": ([VOCAB] * n, ""),
               "memory_bandwidth_bytes_per_s": ([BW] * n, "B/s"), "eta_memory": ([ETA] * n, ""),
               "memory_latency_s": ([ALPHA] * n, "s")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: unit(u) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def test_decode_sampling_by_hand():
    """3,072 sequences: 3,072 x 128,256 x (2 + 4 + 4) B = 3,940,024,320 B (the 16-bit logits read, their float32
    written and read); 2 x 4 us + 3,939,704,832 / (3.35e12 x 0.9) s = 8 us + 1,306.701 us = 1,314.701 us. One
    sequence: 1,282,560 B, 8 us + 0.425393 us."""
    out = evaluate(["decode_sampling_bytes", "decode_sampling_time_s", "decode_sampling_bandwidth_time_s"],
                   [3072.0, 1.0])
    assert out["decode_sampling_bytes"] == [3_940_024_320, 1_282_560]
    assert out["decode_sampling_time_s"][0] == pytest.approx(1_314.807e-6, rel=1e-6)
    assert out["decode_sampling_time_s"][1] == pytest.approx(8e-6 + 1_282_560 / (BW * ETA), rel=1e-12)
    assert out["decode_sampling_bandwidth_time_s"][0] == pytest.approx(3_940_024_320 / (BW * ETA), rel=1e-12)


def test_sampling_is_in_the_pass():
    """The decode pass's other class is the norms x L + the LM head + the sampling kernels."""
    columns = {"n_layers": ([32.0], ""), "decode_norms_time_s": ([1e-5], "s"), "decode_lm_head_time_s": ([2e-4], "s"),
               "decode_sampling_time_s": ([1.3e-3], "s")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: unit(u) for k, (_, u) in columns.items()}
    out = formulas.plan(frame.lazy(), units, ["decode_other_class_time_s"], FORMULAS).frame.collect()
    assert out["decode_other_class_time_s"].item() == pytest.approx(32 * 1e-5 + 2e-4 + 1.3e-3, rel=1e-12)


def test_tp_logits_gather_by_hand():
    """TP8, 2,048 sequences: the gathered logits are 2,048 x 128,256 x 2 B = 525,336,576 B; a ring all-gather
    over a 450 GB/s link at eta_link 0.8 (360 GB/s) and 2 us: 7 x 2 us + 7/8 x 525,336,576 / 360e9 s =
    14 us + 1,276.860 us = 1,290.860 us. TP1 gathers nothing."""
    columns = {"tp": ([8.0, 1.0], ""), "decode_logit_tokens": ([2048.0] * 2, "tok"), "vocab_size": ([VOCAB] * 2, ""),
               "hidden_state_bytes_per_element": ([2.0] * 2, "B/elem"), "scaleup_link_latency_s": ([2e-6] * 2, "s"),
               "scaleup_link_bandwidth_bytes_per_s": ([450e9] * 2, "B/s"), "eta_link": ([0.8] * 2, "")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    units = {k: unit(u) for k, (_, u) in columns.items()}
    out = formulas.plan(frame.lazy(), units, ["decode_logits_gather_time_s"], FORMULAS).frame.collect()
    assert out["decode_logits_gather_time_s"].to_list() == pytest.approx([1_290.860e-6, 0.0], rel=1e-6)
