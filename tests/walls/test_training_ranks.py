"""The fullest pipeline rank under a stated split, CPU offloading and a fused loss
(pipeline.walls.training_ranks), counted by hand from Megatron-Core's schedule."""

from __future__ import annotations

import pytest


def ranks(training, outputs, *, layers=126.0, pp=16.0, v=4.0, m=384.0, split=True, offloaded=0.0, per_gpu=8.0,
          in_flight=19.75):
    n = len(pp) if isinstance(pp, list) else 1
    col = (lambda x: x if isinstance(x, list) else [x] * n)
    return training(outputs, n_layers=(col(layers), ""), pp=(col(pp), ""), virtual_stages=(col(v), ""),
                    num_microbatches=(col(m), ""), embedding_and_loss_in_pipeline_split=(col(split), None),
                    cpu_offloading_num_layers=(col(offloaded), ""), layers_per_gpu=(col(per_gpu), ""),
                    microbatches_in_flight=(col(in_flight), ""))


def test_llama31_405b_on_16_stages_counts_rank_1(training):
    """126 layers + embedding + loss = 128 slots. VP 4: 2 a chunk. Rank 0 runs (16 - 1) x 2 + 3 x 16 = 78
    warm-up passes, + 1 = 79 chunk-microbatches, 31 of them (2p - 1) in its first chunk, which holds one
    layer: 79 x 2 - 31 = 127 layer-microbatches; rank 1: 14 x 2 + 48 + 1 = 77 x 2 = 154, the larger.
    VP 8 (1 slot a chunk): rank 0 143 - 31 = 112, rank 1 28 + 112 + 1 = 141. Rank 15 (the loss):
    3 x 16 + 1 = 49 x 2 - 1 = 97 at VP 4, 7 x 16 + 1 - 1 = 112 at VP 8."""
    got = ranks(training, ["stage_layers_per_chunk", "stored_layer_microbatches", "last_stage_layer_microbatches"],
                pp=[16.0, 16.0], v=[4.0, 8.0])
    assert got["stage_layers_per_chunk"] == [2.0, 1.0]
    assert got["stored_layer_microbatches"] == pytest.approx([154.0, 141.0], rel=1e-12)
    assert got["last_stage_layer_microbatches"] == pytest.approx([97.0, 112.0], rel=1e-12)


def test_without_the_split_the_first_stage_holds_its_layers_for_the_microbatches_in_flight(training):
    """The default: layers_per_gpu x microbatches_in_flight, 8 x 16 (1 + 15/64) = 158, the logits with it."""
    got = ranks(training, ["stored_layer_microbatches", "last_stage_layer_microbatches"], split=False)
    assert got["stored_layer_microbatches"] == pytest.approx([158.0], rel=1e-12)
    assert got["last_stage_layer_microbatches"] == pytest.approx([158.0], rel=1e-12)


def test_the_last_rank_counts_when_its_chunks_hold_more(training):
    """p 2, v 4, 6 layers + 2 = 8 slots, 1 a chunk: rank 0 runs (2 - 0 - 1) x 2 + 3 x 2 = 8 warm-up passes,
    + 1 = 9 chunk-microbatches, 3 (2p - 1) of them in its embedding chunk: 6; rank 1 (the last)
    3 x 2 + 1 = 7, between its loss chunk's microbatches all whole: 7, the larger; with the loss chunk's one
    microbatch 6 layers and the logits."""
    got = ranks(training, ["stored_layer_microbatches", "last_stage_layer_microbatches"], layers=6.0, pp=2.0,
                v=4.0, m=64.0)
    assert got["stored_layer_microbatches"] == pytest.approx([7.0], rel=1e-12)
    assert got["last_stage_layer_microbatches"] == pytest.approx([6.0], rel=1e-12)


def test_one_f_one_b_without_interleaving(training):
    """p 4, v 1, 30 layers + 2 = 32 slots, 8 a stage. Rank 0 holds p = 4 microbatches of its 7 layers (28),
    rank 1 p - 1 = 3 of 8 (24), the last rank 1 microbatch of 7 layers; with m = 2 ranks 0 and 1 hold 2
    each, 14 and 16."""
    got = ranks(training, ["stored_layer_microbatches", "last_stage_layer_microbatches"], layers=30.0,
                pp=[4.0, 4.0], v=1.0, m=[64.0, 2.0])
    assert got["stored_layer_microbatches"] == pytest.approx([28.0, 16.0], rel=1e-12)
    assert got["last_stage_layer_microbatches"] == pytest.approx([7.0, 7.0], rel=1e-12)


def test_cpu_offloading_keeps_the_other_layers_and_two_while_reloading(training):
    """Megatron-Bridge's GB200 Llama 3 70B FP8-CS recipe offloads 40 of 80 layers at pp 1: 40 stay; 79
    offloaded leave 1, but the backward holds the layer it reloads and the one it computes: 2."""
    got = ranks(training, ["stored_layer_microbatches"], layers=80.0, pp=[1.0] * 3, v=1.0, m=2.0, split=False,
                offloaded=[0.0, 40.0, 79.0], per_gpu=80.0, in_flight=1.0)
    assert got["stored_layer_microbatches"] == pytest.approx([80.0, 40.0, 2.0], rel=1e-12)


def test_the_fused_loss_keeps_16_bit_logits(training):
    """Unfused: an fp32 copy (4 B); Transformer Engine's fused cross entropy: the 16-bit logits (2 B)."""
    got = training(["logit_bytes_per_element"], cross_entropy_loss_fusion=([False, True], None))
    assert got["logit_bytes_per_element"] == [4.0, 2.0]


def test_activations_are_the_larger_of_the_fullest_rank_and_the_loss_rank(training):
    """0.5 GiB a layer-microbatch: 154 x 0.5 = 77 GiB on rank 1 against 97 x 0.5 + one microbatch's
    logits (8192 tokens x 128,256 / 4 x 2 B = 0.49 GiB) on rank 15; with the logits on the fullest rank
    (no split, 158 layer-microbatches): 79 + 0.98 GiB (fp32)."""
    gib = 2.0**30
    got = training(["activation_bytes_per_gpu"], activation_bytes_per_layer=([0.5 * gib] * 2, "B"),
                   stored_layer_microbatches=([154.0, 158.0], ""), last_stage_layer_microbatches=([97.0, 158.0], ""),
                   seq_len=([8192.0] * 2, "tok"), cp=([1.0] * 2, ""), microbatch=([1.0] * 2, ""),
                   vocab_size=([128256.0] * 2, ""), tp=([4.0] * 2, ""), logit_bytes_per_element=([2.0, 4.0], "B/elem"))
    logits = 8192 * 128256 / 4
    assert got["activation_bytes_per_gpu"] == pytest.approx([77 * gib, 79 * gib + 4 * logits], rel=1e-12)


def test_with_the_split_the_fullest_rank_holds_whole_chunks_or_an_end(training):
    """Rank 1 holds v k = 8 layers; ranks 0 and 15 hold 7 and an end: 8 x 100 when the end (50) is smaller
    than a layer, 7 x 100 + 300 when larger. Without the split: 8 layers and the end."""
    got = training(["params_per_gpu"], layers_per_gpu=([8.0] * 3, ""),
                   attention_params_per_layer=([100.0] * 3, "param"),
                   norm_params_per_layer=([0.0] * 3, "param"), dense_layer_share=([1.0] * 3, ""),
                   dense_mlp_params_per_layer=([0.0] * 3, "param"), n_experts=([None] * 3, ""),
                   n_shared_experts=([None] * 3, ""), expert_params_each=([0.0] * 3, "param"),
                   router_params_per_layer=([0.0] * 3, "param"),
                   pipeline_end_params_per_device=([50.0, 300.0, 50.0], "param"), tp=([1.0] * 3, ""),
                   ep=([1.0] * 3, ""), pp=([16.0] * 3, ""), virtual_stages=([4.0] * 3, ""),
                   stage_layers_per_chunk=([2.0] * 3, ""),
                   embedding_and_loss_in_pipeline_split=([True, True, False], None))
    assert got["params_per_gpu"] == pytest.approx([800.0, 1000.0, 850.0], rel=1e-12)
