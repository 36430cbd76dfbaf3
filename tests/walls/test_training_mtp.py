"""Multi-token prediction modules in the training study (pipeline.walls.training_compute): their
FLOPs (DeepSeek-V3 §2.2) and the pipeline stage that holds them (Megatron-Bridge's DeepSeek-V3
layouts), by hand."""

from __future__ import annotations

import pytest

# a layer of 100 FLOP, an LM head of 120, an MTP module of 10 (projection) + 100 (block) + 120 (head)
LAYER, HEAD, MTP = 100.0, 120.0, 230.0


def test_mtp_module_flops_of_deepseek_v3(training):
    """d 7168, 4096 tokens: the projection M in R^{d x 2d} is 2 x 2 x 7168^2 x 4096 = 841,813,590,016
    FLOP; plus one block and the shared head (here 6e12 and 7.6e12 FLOP per sequence). None: 0."""
    got = training(["mtp_forward_flop_per_sequence"], mtp_layers=([1.0, 0.0], ""), d_model=([7168.0] * 2, ""),
                    seq_len=([4096.0] * 2, "tok"), layer_forward_flop_per_sequence=([6e12] * 2, "FLOP"),
                    lm_head_forward_flop_per_sequence=([7.6e12] * 2, "FLOP"))
    assert got["mtp_forward_flop_per_sequence"][0] == pytest.approx(841_813_590_016 + 6e12 + 7.6e12, rel=1e-12)
    assert got["mtp_forward_flop_per_sequence"][1] == 0.0


def stage(training, pp: float, v: float, mtp: float, head: float = HEAD, module: float = MTP) -> dict:
    return training(["stage_layers", "stage_head_flop_per_sequence", "stage_forward_flop_per_microbatch"],
                    n_layers=([61.0], ""), pp=([pp], ""), virtual_stages=([v], ""), mtp_layers=([mtp], ""),
                    layers_per_gpu=([v * -(-61 // (pp * v))], ""), layer_forward_flop_per_sequence=([LAYER], "FLOP"),
                    lm_head_forward_flop_per_sequence=([head], "FLOP"),
                    mtp_forward_flop_per_sequence=([module if mtp else 0.0], "FLOP"),
                    lm_head_on_last_stage=([False], None), microbatch=([1.0], ""), tp=([1.0], ""), cp=([1.0], ""))


def test_pp16_puts_one_layer_and_the_mtp_module_on_the_last_stage(training):
    """Megatron-Bridge (16, 1): embedding + 4 decoders, 14 x 4, then 1 decoder + MTP + loss. The last
    stage runs 2 blocks (the decoder and the MTP block) + the head + the MTP projection and head:
    100 + 120 + 230 = 450 FLOP, more than a 4-layer stage's 400: the busiest."""
    got = stage(training, 16.0, 1.0, 1.0)
    assert got["stage_layers"][0] == 2.0
    assert got["stage_head_flop_per_sequence"][0] == pytest.approx(HEAD + MTP - LAYER)
    assert got["stage_forward_flop_per_microbatch"][0] == pytest.approx(450.0)


def test_interleaved_pp4_vp4_last_gpu_holds_three_chunks_and_the_last(training):
    """(4, 4): the same 16 chunks of 4 layers, the last of 1 + MTP; GPU 3 runs chunks 3, 7, 11, 15:
    13 decoders + the MTP block + head + module = 1300 + 120 + 230 = 1650 > the others' 16 x 100."""
    got = stage(training, 4.0, 4.0, 1.0)
    assert got["stage_layers"][0] == 14.0
    assert got["stage_forward_flop_per_microbatch"][0] == pytest.approx(1650.0)


def test_a_light_last_stage_leaves_the_full_stages_busiest(training):
    """(8, 1): 7 x 8 layers, then 5 + MTP + loss. With a head of 10 and a module of 120 the last
    stage runs 500 + 10 + 120 = 630 < 800: the busiest GPU is a full 8-layer stage, no head."""
    got = stage(training, 8.0, 1.0, 1.0, head=10.0, module=120.0)
    assert got["stage_layers"][0] == 8.0
    assert got["stage_head_flop_per_sequence"][0] == 0.0
    assert got["stage_forward_flop_per_microbatch"][0] == pytest.approx(800.0)


def test_without_mtp_stages_stay_balanced_around_the_head(training):
    """mtp_layers 0: ceil(61/16) = 4 layers and 1/16 of the head, as before."""
    got = stage(training, 16.0, 1.0, 0.0)
    assert got["stage_layers"][0] == 4.0
    assert got["stage_forward_flop_per_microbatch"][0] == pytest.approx(400.0 + HEAD / 16)


def test_model_flops_count_the_mtp_modules(training):
    """3 x (forward) per sequence: 1000 FLOP of the model's training pass + 3 x 230 of the module, x 8 sequences."""
    got = training(["model_flop_per_step"], global_batch=([8.0], ""), train_flop_per_sequence=([1000.0], "FLOP"),
                   mtp_forward_flop_per_sequence=([MTP], "FLOP"))
    assert got["model_flop_per_step"][0] == pytest.approx(8 * (1000.0 + 3 * MTP))
