"""Training compute and utilisation (pipeline.walls.training_compute) by hand."""

from __future__ import annotations

import pytest


def test_mfu_and_hfu(training):
    """1e18 model FLOPs (+ 1/3 recomputed) in 10 s on 1000 GPUs of 312 TFLOP/s."""
    got = training(["mfu", "hfu"], model_flop_per_step=([1e18], "FLOP"), global_batch=([1.0], ""),
                   recompute_flop_per_sequence=([1e18 / 3], "FLOP"), step_time_s=([10.0], "s"),
                   gpus=([1000.0], ""), peak_flop_per_s=([312e12], "FLOP/s"))
    assert got["mfu"][0] == pytest.approx(1e18 / (10 * 1000 * 312e12), rel=1e-12)
    assert got["hfu"][0] == pytest.approx(4 / 3 * got["mfu"][0], rel=1e-12)


@pytest.mark.parametrize("recompute, gated, per_layer", [
    ("none", False, 0.0), ("selective", False, 5.0), ("full", False, 100.0),
    ("projections", False, 5.0 + 60.0 / 2), ("projections", True, 5.0 + 60.0 * 2 / 3)])
def test_recomputed_forward_per_mode(training, recompute, gated, per_layer):
    """A layer of 100 forward FLOPs: 5 in the attention core, 60 in the MLP's matmuls. Selective
    recomputes the core, full the layer, "projections" (MaxText save_dot_except_*) the core and
    FC1: h x f of the MLP's 2 h x f, gated 2 h x f of 3 h x f."""
    got = training(["recompute_flop_per_sequence"], recompute=([recompute], None), n_layers=([10.0], ""),
                   layer_forward_flop_per_sequence=([100.0], "FLOP"),
                   attention_core_forward_flop_per_sequence=([5.0], "FLOP"),
                   mlp_forward_flop_per_sequence=([60.0], "FLOP"), is_gated_mlp=([gated], None))
    assert got["recompute_flop_per_sequence"][0] == pytest.approx(10 * per_layer, rel=1e-12)

@pytest.mark.parametrize("on_last", [False, True])
def test_the_busiest_stage_runs_the_lm_head_whole_under_megatrons_split(training, on_last):
    """8 layers of 100 FLOP per stage of 12 (GPT-3 175B on TP 8 x PP 12, Narayanan et al. 2021), head 35
    FLOP (V/(12h) = 51200/147456 of a layer): balanced stages carry 35/12 of it; Megatron-LM's split
    (L/p layers everywhere, the output layer on the last stage) puts all 35 on the last. tp 8, microbatch 2."""
    got = training(["stage_forward_flop_per_microbatch"], layers_per_gpu=([8.0], ""),
                   layer_forward_flop_per_sequence=([100.0], "FLOP"), lm_head_forward_flop_per_sequence=([35.0], "FLOP"),
                   microbatch=([2.0], ""), tp=([8.0], ""), pp=([12.0], ""), cp=([1.0], ""),
                   lm_head_on_last_stage=([on_last], None), n_layers=([96.0], ""), virtual_stages=([1.0], ""),
                   mtp_layers=([0.0], ""), mtp_forward_flop_per_sequence=([0.0], "FLOP"))
    head = 35.0 if on_last else 35.0 / 12
    assert got["stage_forward_flop_per_microbatch"][0] == pytest.approx((800.0 + head) * 2 / 8, rel=1e-12)
