"""Wall 13 (pipeline.walls.fidelity): pruning, quantization and distillation of a served model."""

from __future__ import annotations


def test_structured_pruning_shrinks_layer_weights_and_flops():
    """Wall 13: pruning half of every layer matrix halves their weights and FLOPs; embeddings stay.
    fp8 weights at s = 0.5: compression 2 B / 1 B / 0.5 = 4."""
    import pipeline

    dense, pruned = (pipeline.evaluate_serving("Llama 3 8B", "H100 SXM5 80GB", batch=1, precision="fp8",
                                               prune_ratio=s).row(0, named=True) for s in (0.0, 0.5))
    assert pruned["compression_ratio"] == 4.0 and dense["compression_ratio"] == 2.0
    assert pruned["decode_mlp_flop"] == dense["decode_mlp_flop"] / 2
    assert pruned["decode_qkv_proj_flop"] == dense["decode_qkv_proj_flop"] / 2
    embedding = dense["weights_per_device_bytes"] - 2 * (dense["weights_per_device_bytes"]
                                                        - pruned["weights_per_device_bytes"])
    assert 0 < embedding < dense["weights_per_device_bytes"] / 2  # what is not pruned: embeddings, head, norms
    assert pruned["itl_s"] < dense["itl_s"]


def test_distillation_rows_stand_in_for_the_teacher():
    """axes.distill_to: a smaller student answers for every larger model; its compression ratio
    is teacher params / student params (x the precision's 2 B / bytes per weight)."""
    import pipeline

    rows = pipeline.sweep({"study": "serving", "axes": {
        "model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"],
        "distill_to": ["Llama 3.2 1B", "Llama 2 70B"]}})  # 70B is larger: no row
    pairs = {(str(r["teacher"]), str(r["model"])): r for r in rows.iter_rows(named=True)}
    assert set(pairs) == {("Llama 3 8B", "Llama 3 8B"), ("Llama 3 8B", "Llama 3.2 1B")}
    student = pairs[("Llama 3 8B", "Llama 3.2 1B")]
    teacher = pairs[("Llama 3 8B", "Llama 3 8B")]
    assert teacher["compression_ratio"] == 1.0
    assert student["compression_ratio"] == teacher["params_computed"] / student["params_computed"]
    assert student["itl_s"] < teacher["itl_s"]
