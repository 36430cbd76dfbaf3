"""serving.dual_batch_overlap in the serving study: DeepSeek-V3 EP decode hides its all-to-all."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline

SPEC = {"study": "serving", "axes": {"model": ["DeepSeek-V3"], "hardware": ["H200 SXM 141GB"], "precision": ["fp8"],
                                     "batch": [512], "tp": [1, 2], "pp": [1], "ep": [8], "prompt_len": [2000],
                                     "output_len": [1000]}}


def test_the_overlap_hides_the_all_to_all_where_computation_covers_it():
    """EP 8 in one H200 node: a decode step's all-to-all (ms) is far below its computation, so the
    overlapped ITL is the plain one minus the whole all-to-all; the knob is a column of the row."""
    plain, overlapped = (pipeline.sweep(SPEC | {"serving": {"dual_batch_overlap": on}}).sort("tp") for on in
                         (False, True))
    assert overlapped["dual_batch_overlap"].all() and not plain["dual_batch_overlap"].any()
    compute = plain.select(pl.sum_horizontal("decode_attention_class_time_s", "decode_mlp_class_time_s",
                                             "decode_other_class_time_s"))
    assert (plain["decode_alltoall_time_s"] < compute.to_series()).all()
    assert overlapped["itl_s"].to_list() == pytest.approx(
        (plain["itl_s"] - plain["decode_alltoall_time_s"]).to_list(), rel=1e-12)
    assert plain["decode_alltoall_time_s"].min() > 0 and plain["itl_s"].null_count() == 0
