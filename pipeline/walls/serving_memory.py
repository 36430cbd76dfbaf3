"""Wall 2 for serving: what one device of a tp x pp layout holds (weights, the KV cache of
the batch, the prefill working set and a reserve), and whether it fits.

KV cache: 2 x L x H_kv x d_head x tokens x batch x bytes (exact); tensor parallelism splits
the KV heads, replicating them when tp exceeds them (Megatron-LM, Shoeybi et al. 2019, §3).
"""

from __future__ import annotations

from pipeline.units import E, Plain, UExpr, lit, maximum, minimum, where
from pipeline.walls.attention_pattern import held_tokens
from pipeline.walls.quantities import ELEM_PER_TOKEN
from pipeline.walls.registries import serving_column


@serving_column
def weights_per_device_bytes(layers_per_stage: UExpr, qkv_params_per_device: UExpr, o_params_per_device: UExpr,
                             mlp_params_per_layer_per_device: UExpr, norm_params_per_layer: UExpr,
                             pipeline_end_params_per_device: UExpr, weight_bytes_per_param: UExpr,
                             end_weight_bytes_per_param: UExpr, weight_density: UExpr,
                             qkv_weight_bytes_per_param: UExpr, o_weight_bytes_per_param: UExpr) -> UExpr:
    """Resident weights of the fullest device: its stage's layers (all experts / tp, or the rank's
    E / ep with expert parallelism: ``expert_parallel``; pruned matrices x their density) and the
    larger pipeline end (``operators.pipeline_end_params_per_device``), the embedding and LM head
    at 16 bits under 8- or 4-bit weights (``operators.end_weight_bytes_per_param``), attention's
    projections at theirs (``mixed_precision``)."""
    layer = mlp_params_per_layer_per_device * weight_density + norm_params_per_layer
    projections = qkv_params_per_device * qkv_weight_bytes_per_param + o_params_per_device * o_weight_bytes_per_param
    return (layers_per_stage * (layer * weight_bytes_per_param + projections)
            + pipeline_end_params_per_device * end_weight_bytes_per_param)


@serving_column
def context_tokens(prompt_len: UExpr, generated_tokens: UExpr) -> UExpr:
    return prompt_len + generated_tokens


@serving_column
def kv_held_tokens(context_tokens: UExpr, sliding_window_tokens: UExpr, window_layer_share: UExpr,
                   kv_layer_share: UExpr) -> UExpr:
    """Tokens of K/V one sequence keeps per layer, layer mean: the whole context on global layers,
    min(context, window) on sliding-window layers, none on KV-sharing layers (vLLM's hybrid KV cache
    manager; ``pipeline.walls.attention_pattern``). No pattern: the context."""
    return held_tokens(context_tokens, sliding_window_tokens, window_layer_share, kv_layer_share)


@serving_column
def kv_cache_bytes_per_device(kv_bytes_per_token_per_device: UExpr, kv_held_tokens: UExpr,
                              attention_group_sequences: UExpr) -> UExpr:
    """The device's share of the cache for its attention group's sequences (the whole batch
    without expert parallelism) at prompt + output length."""
    return kv_bytes_per_token_per_device * kv_held_tokens * attention_group_sequences


@serving_column
def kv_cache_bytes(kv_elements_per_token_per_layer_per_device: UExpr, n_layers: UExpr, tp: UExpr,
                   kv_held_tokens: UExpr, batch: UExpr, kv_bytes_per_element: UExpr) -> UExpr:
    """2 x L x H_kv x d_head x tokens x batch x bytes (exact), summed over devices: KV heads
    replicated by tp > H_kv (and MLA latents, which every TP rank keeps) count once per copy; tokens
    the layer-mean ``kv_held_tokens`` (sliding windows, KV sharing)."""
    return kv_elements_per_token_per_layer_per_device * n_layers * tp * kv_held_tokens * batch * kv_bytes_per_element


@serving_column
def activation_bytes_per_device(prefill_tokens: UExpr, prefill_chunk_tokens: UExpr, d_model: UExpr,
                                mlp_width_per_device: UExpr, bytes_per_element: UExpr) -> UExpr:
    """Prefill working set of one layer (hidden states in and out plus the MLP intermediate)
    for at most ``prefill_chunk_tokens`` at a time: servers prefill long batches in chunks
    (vLLM's max_num_batched_tokens), so activation memory does not grow with the batch."""
    chunk = minimum(prefill_tokens, prefill_chunk_tokens)
    return chunk * (2.0 * d_model * ELEM_PER_TOKEN + mlp_width_per_device) * bytes_per_element


@serving_column
def memory_reserve_bytes(memory_fraction: UExpr, memory_fraction_of_free: Plain, memory_limit_bytes: UExpr,
                         weights_per_device_bytes: UExpr, activation_bytes_per_device: UExpr) -> UExpr:
    """What the server leaves untouched, (1 - f) x the memory its fraction f is a share of:
    of the usable total for vLLM's gpu_memory_utilization (default 0.9, "the fraction of GPU
    memory to be used for the model executor", docs.vllm.ai engine args), of the memory free
    after weights and activations for TensorRT-LLM's free_gpu_memory_fraction (default 0.9 of
    it to the KV cache, nvidia.github.io/TensorRT-LLM kvcacheconfig); never below 0."""
    free = maximum(memory_limit_bytes - weights_per_device_bytes - activation_bytes_per_device, 0)
    return (1.0 - memory_fraction) * where(memory_fraction_of_free, free, memory_limit_bytes)


@serving_column
def memory_per_device_bytes(weights_per_device_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                            activation_bytes_per_device: UExpr, memory_reserve_bytes: UExpr,
                            lora_bytes_per_device: UExpr) -> UExpr:
    """Weights, KV cache, activations, the server's reserve and the resident LoRA adapters
    (``pipeline.walls.lora``; 0 without)."""
    return (weights_per_device_bytes + kv_cache_bytes_per_device + activation_bytes_per_device + memory_reserve_bytes
            + lora_bytes_per_device)


@serving_column
def memory_headroom_bytes(memory_limit_bytes: UExpr, memory_per_device_bytes: UExpr) -> UExpr:
    """Usable memory (``memory.memory_limit_bytes``) left; negative when the layout does not fit."""
    return memory_limit_bytes - memory_per_device_bytes


@serving_column
def fits_in_hbm(memory_headroom_bytes: UExpr) -> Plain:
    return memory_headroom_bytes >= lit(0.0, "B")


@serving_column
def is_feasible(fits_in_hbm: Plain, weight_streaming: Plain) -> Plain:
    return fits_in_hbm | weight_streaming


@serving_column
def infeasible_reason(is_feasible: Plain) -> Plain:
    return (E.when(is_feasible).then(E.lit(None, E.String))
            .otherwise(E.lit("memory capacity: weights + KV cache + activations + reserve exceed device memory"))
            ).cast(E.Categorical)
