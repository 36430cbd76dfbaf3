"""Wall 2 for training, rank by rank: which pipeline rank holds the most activations and weights
when a recipe states how it splits the pipeline, keeps activations in host memory or fuses the loss.

Megatron-Core's interleaved 1F1B schedule runs ``(p - r - 1) x 2 + (v - 1) x g`` warm-up forward
passes on pipeline rank r (g = microbatch_group_size_per_vp_stage, p by default), then one forward
before each backward, so rank r holds that many + 1 model-chunk microbatches at once, at most the
m x v there are (megatron/core/pipeline_parallel/schedules.py, get_pp_rank_microbatches, lines 955-978
at NVIDIA/Megatron-LM d98e8a64); without interleaving p - r - 1 warm-up passes, + 1.

``embedding_and_loss_in_pipeline_split`` (Megatron-Core TransformerConfig's
account_for_embedding_in_pipeline_split and account_for_loss_in_pipeline_split, both set by
Megatron-Bridge's Llama 3.1 405B recipe: src/megatron/bridge/recipes/llama/llama3.py lines 1132-1133
at NVIDIA-NeMo/Megatron-Bridge 0a25f911): the embedding takes a layer's slot in the first model
chunk of rank 0 and the loss one in the last chunk of rank p - 1, k = ceil((L + 2) / (p v)) slots a
chunk. Rank 1 then holds v k layers and no end; rank 0 one layer fewer (its first chunk's microbatches,
2p - 1 of them in flight whichever step: chunk 0 forwards come p in every v p, each in flight for
2 v p - 1 passes), and the embedding; rank p - 1 one layer fewer in its last chunk (its one microbatch
in flight there: backward follows its forward at once), the LM head and the logits.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, minimum, where
from pipeline.walls.registries import training_column

INTERLEAVED_GROUP = 1.0  # microbatch_group_size_per_vp_stage in units of p (Megatron-Core's default: p)


def chunk_microbatches_in_flight(pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr, rank) -> UExpr:
    """Model-chunk microbatches pipeline rank ``rank`` holds at its peak under Megatron-Core's schedule:
    warm-up + 1, at most all m x v (interleaved) or m (1F1B)."""
    interleaved = (pp - rank - 1.0) * 2.0 + (virtual_stages - 1.0) * pp * INTERLEAVED_GROUP + 1.0
    plain = pp - rank
    return where(virtual_stages > 1, minimum(interleaved, num_microbatches * virtual_stages),
                 minimum(plain, num_microbatches))


@training_column
def stage_layers_per_chunk(n_layers: UExpr, pp: UExpr, virtual_stages: UExpr,
                           embedding_and_loss_in_pipeline_split: Plain) -> UExpr:
    """Layer slots of one model chunk: ceil(L / (p v)), or ceil((L + 2) / (p v)) with the embedding and
    the loss counted as layers (pp > 1)."""
    ends = where(embedding_and_loss_in_pipeline_split & (pp > 1), 2.0, 0.0)
    return ((n_layers + ends) / (pp * virtual_stages)).ceil()


@training_column
def stored_layer_microbatches(layers_per_gpu: UExpr, microbatches_in_flight: UExpr, stage_layers_per_chunk: UExpr,
                              pp: UExpr, virtual_stages: UExpr, num_microbatches: UExpr,
                              embedding_and_loss_in_pipeline_split: Plain, cpu_offloading_num_layers: UExpr) -> UExpr:
    """Layer-microbatches of activations on the GPU that holds the most of them, the logits apart.

    By default the first stage's, all its layers for ``microbatches_in_flight``. With the ends in the
    split, the largest of rank 0's, rank 1's and rank p - 1's at a step when none of its loss chunk's
    microbatches is in flight (module docstring; with it, ``last_stage_layer_microbatches``). With
    ``cpu_offloading_num_layers`` N (Megatron-Core's cpu_offloading_num_layers: "Tells the number of
    transformer layers for which activations has to be offloaded", megatron/core/model_parallel_config.py
    lines 458-462; passed to
    Transformer Engine's get_cpu_offload_context with the model's layer count, megatron/core/transformer/
    transformer_block.py lines 304-314; refused with pp > 1 or recomputation, transformer_config.py lines
    1885-1898, at NVIDIA/Megatron-LM d98e8a64): the first N layers' saved tensors are copied to host
    memory during the forward pass and brought back one layer ahead in the backward, so at the end of
    the forward pass the GPU keeps the other L - N layers', and while reloading at least the layer being
    reloaded and the one computing (2)."""
    k, v = stage_layers_per_chunk, virtual_stages
    first = chunk_microbatches_in_flight(pp, v, num_microbatches, 0.0)
    chunk0 = minimum(where(v > 1, pp * 2.0 - 1.0, first), first)  # rank 0's first-chunk microbatches
    rank0 = first * k - chunk0
    rank1 = where(pp > 2, chunk_microbatches_in_flight(pp, v, num_microbatches, 1.0) * k, 0.0)
    # rank p - 1 between its loss chunk's microbatches (interleaved: none of them in flight, every chunk whole)
    last = where(v > 1, chunk_microbatches_in_flight(pp, v, num_microbatches, pp - 1.0) * k, 0.0)
    split = maximum(rank0, rank1, last)
    default = layers_per_gpu * microbatches_in_flight
    stored = where(embedding_and_loss_in_pipeline_split & (pp > 1), split, default)
    kept = maximum(layers_per_gpu - cpu_offloading_num_layers, minimum(layers_per_gpu, 2.0)) / layers_per_gpu
    return where(cpu_offloading_num_layers > 0, stored * kept, stored)


@training_column
def last_stage_layer_microbatches(stored_layer_microbatches: UExpr, stage_layers_per_chunk: UExpr, pp: UExpr,
                                  virtual_stages: UExpr, num_microbatches: UExpr,
                                  embedding_and_loss_in_pipeline_split: Plain) -> UExpr:
    """Layer-microbatches of activations on the stage that also holds the logits: the fullest GPU's by
    default (the logits added to it, an upper bound), with the ends in the split rank p - 1's, whose
    last chunk holds the loss in place of a layer for its one microbatch in flight."""
    last = chunk_microbatches_in_flight(pp, virtual_stages, num_microbatches, pp - 1.0) * stage_layers_per_chunk - 1.0
    return where(embedding_and_loss_in_pipeline_split & (pp > 1), last, stored_layer_microbatches)


@training_column
def logit_bytes_per_element(cross_entropy_loss_fusion: Plain) -> UExpr:
    """What the loss keeps of each logit for its backward. Unfused, Megatron-Core's
    vocab_parallel_cross_entropy casts the logits to fp32 and saves their softmax (4 B:
    megatron/core/tensor_parallel/cross_entropy.py lines 25 and 181, NVIDIA/Megatron-LM d98e8a64); fused
    (``cross_entropy_loss_fusion`` with cross_entropy_fusion_impl "te", language_module.py lines 173-196)
    Transformer Engine's parallel cross entropy writes the gradient into the 16-bit logits in place and
    saves only them (transformer_engine/pytorch/cross_entropy.py, CrossEntropyFunction.forward:
    ``ctx.save_for_backward(_input.detach())``): 2 B."""
    return where(cross_entropy_loss_fusion, lit(2.0, "B/elem"), lit(4.0, "B/elem"))
