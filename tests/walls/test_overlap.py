"""Dual-batch overlap of the EP all-to-all with computation (pipeline.walls.overlap) in the serving
pass time, against hand sums."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import unit
from pipeline.walls.registries import SERVING


def test_two_microbatches_hide_the_all_to_all_behind_computation():
    """Compute 4 + 5 + 1 = 10 ms; communication 6 ms of which 4 ms all-to-all; launches 0.5 ms.
    Without overlap 10 + 6 + 0.5 = 16.5 ms; with it max(10, 4) + 2 + 0.5 = 12.5 ms. An all-to-all of
    12 ms (communication 14) longer than the computation: 24.5 ms against max(10, 12) + 2 + 0.5 =
    14.5 ms."""
    cols = {"decode_attention_class_time_s": 0.004, "decode_mlp_class_time_s": 0.005,
            "decode_other_class_time_s": 0.001, "decode_launch_overhead_s": 0.0005, "decode_dequant_overhead_s": 0.0,
            "weight_stream_time_s": 0.0, "decode_lora_time_s": 0.0}
    frame = pl.DataFrame({k: [v] * 4 for k, v in cols.items()} | {
        "decode_communication_time_s": [0.006, 0.006, 0.014, 0.014],
        "decode_alltoall_time_s": [0.004, 0.004, 0.012, 0.012],
        "dual_batch_overlap": [False, True, False, True]})
    units = {k: unit("s") for k in frame.columns if k != "dual_batch_overlap"} | {"dual_batch_overlap": None}
    out = formulas.plan(frame.lazy(), units, ["decode_pass_time_s"], SERVING).frame.collect()
    assert out["decode_pass_time_s"].to_list() == pytest.approx([0.0165, 0.0125, 0.0245, 0.0145], rel=1e-12)
