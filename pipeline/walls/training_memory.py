"""Wall 2 for training: what the fullest GPU of a DP x TP x PP x CP (x EP) layout holds, the
16-bit working weights, gradients, optimizer state (ZeRO, Rajbhandari et al. 2020) and the
activations of the microbatches in flight (Korthikanti et al. 2022), and whether it fits."""

from __future__ import annotations

from pipeline.units import E, Plain, UExpr, lit, maximum, minimum, where
from pipeline.walls.quantities import ELEM_PER_TOKEN, OPTIMIZER_BYTES, TOKEN, WORKING_WEIGHT_BYTES
from pipeline.walls.registries import training_column

ACTIVATION_BYTES = lit(1.0, "B/tok")  # Korthikanti's coefficients count bytes per token per hidden unit


# -- the layout --------------------------------------------------------------------------

@training_column
def layers_per_gpu(n_layers: UExpr, pp: UExpr, virtual_stages: UExpr) -> UExpr:
    """v model chunks of ceil(L / (p v)) layers each (the interleaved schedule, Narayanan et al. §2.2.2)."""
    return virtual_stages * (n_layers / (pp * virtual_stages)).ceil()


@training_column
def params_per_gpu(layers_per_gpu: UExpr, attention_params_per_layer: UExpr, norm_params_per_layer: UExpr,
                   dense_layer_share: UExpr, dense_mlp_params_per_layer: UExpr, n_experts: UExpr,
                   n_shared_experts: UExpr, expert_params_each: UExpr, router_params_per_layer: UExpr,
                   pipeline_end_params_per_device: UExpr, tp: UExpr, ep: UExpr, pp: UExpr,
                   virtual_stages: UExpr, stage_layers_per_chunk: UExpr,
                   embedding_and_loss_in_pipeline_split: Plain) -> UExpr:
    """Weights of the fullest GPU: its layers (attention and MLPs over tp, routed experts over
    tp x ep, norms replicated) and the larger pipeline end (``operators.pipeline_end_params_per_device``).
    With the embedding and the loss in the pipeline split (``training_ranks``) an end takes a layer's
    slot: v k layers on a middle rank, v k - 1 and an end on the first and last, the larger counting."""
    moe = 1.0 - dense_layer_share
    shared = dense_layer_share * dense_mlp_params_per_layer + moe * (
        n_shared_experts.fill_null(0.0) * expert_params_each + router_params_per_layer)
    routed = moe * n_experts.fill_null(0.0) * expert_params_each
    layer = (attention_params_per_layer + shared) / tp + routed / (tp * ep) + norm_params_per_layer
    split = (virtual_stages * stage_layers_per_chunk - 1.0) * layer + maximum(layer, pipeline_end_params_per_device)
    return where(embedding_and_loss_in_pipeline_split & (pp > 1), split,
                 layers_per_gpu * layer + pipeline_end_params_per_device)


# -- memory per GPU (ZeRO, Rajbhandari et al. 2020; activations, Korthikanti et al. 2022) ---

def _sharded(zero_stage: UExpr, from_stage: int, dp: UExpr, cp: UExpr) -> UExpr:
    """dp x cp when ZeRO stage >= from_stage shards this state, else 1. The cp ranks of a
    data-parallel rank hold the same weights and reduce their gradients together, so the
    sharding group is dp x cp: Megatron-Core builds the dense parameters' distributed optimizer
    on ``parallel_state.get_data_parallel_group(with_context_parallel=True)`` (Megatron-LM
    megatron/core/optimizer/__init__.py, get_megatron_optimizer), and TorchTitan applies FSDP over
    its flattened "dp_shard_cp" mesh (torchtitan/distributed/parallel_dims.py)."""
    return where(zero_stage >= from_stage, dp * cp, 1.0)


@training_column
def weight_bytes_per_gpu(params_per_gpu: UExpr, adapter_params_per_gpu: UExpr, working_weight_bytes_per_param: UExpr,
                         zero_stage: UExpr, dp: UExpr, cp: UExpr) -> UExpr:
    """Working weights, 16-bit or FP8 (``training.fp8_params``: NeMo's fp8_params / Megatron-Core's
    fp8_param keep the model's weights as Transformer Engine Float8Tensors, 1 B each, the fp32 master
    copy in the optimizer state), and the LoRA adapters in 16 bits (0 at rank 0); ZeRO-3 / FSDP shards them."""
    weights = params_per_gpu * working_weight_bytes_per_param + adapter_params_per_gpu * WORKING_WEIGHT_BYTES
    return weights / _sharded(zero_stage, 3, dp, cp)


@training_column
def gradient_bytes_per_gpu(trainable_params_per_gpu: UExpr, gradient_bytes_per_param: UExpr, zero_stage: UExpr,
                           dp: UExpr, cp: UExpr) -> UExpr:
    """Gradients of the trained weights (all, or LoRA's adapters: ``training_lora``); ZeRO-2 and up
    shard them."""
    return trainable_params_per_gpu * gradient_bytes_per_param / _sharded(zero_stage, 2, dp, cp)


@training_column
def optimizer_bytes_per_gpu(trainable_params_per_gpu: UExpr, zero_stage: UExpr, dp: UExpr, cp: UExpr) -> UExpr:
    """fp32 master weights and Adam moments (12 B/param) of the trained weights (a frozen base has
    none: Hu et al. 2021 §4.2); ZeRO-1 and up shard them."""
    return trainable_params_per_gpu * OPTIMIZER_BYTES / _sharded(zero_stage, 1, dp, cp)


@training_column
def activation_bytes_per_layer(seq_len: UExpr, cp: UExpr, microbatch: UExpr, d_model: UExpr, n_heads: UExpr,
                               n_kv_heads: UExpr, mlp_width_per_device: UExpr, is_gated_mlp: Plain, tp: UExpr,
                               recompute: Plain, sequence_parallel: Plain, flash_attention: Plain,
                               dropout: Plain, saved_gemm_input_bytes_per_element: UExpr, lora_rank: UExpr,
                               fp8_dot_product_attention: Plain, activation_func_fp8_input_store: Plain) -> UExpr:
    """One layer, one microbatch, on one GPU: Korthikanti et al. 2022, §4.1, term by term, with
    16-bit activations and 1-byte dropout masks, generalised to GQA and gated MLPs. Per token:
    kept whole on every TP rank (unless sequence-parallel): the QKV and MLP inputs (2h each),
    two norm inputs (4h), two dropout masks (2h); sharded over TP: Q, K, V and the projection
    input (4h + 4h kv/a), the MLP's intermediates (4f, gated 6f), and the attention scores
    (softmax 2as, with dropout 5as) that FlashAttention never stores. GPT-3 (kv = a, f = 4h,
    dropout): sbh(10 + 24/t + 5as/(ht)), Korthikanti's Table 2. Selective recomputation drops
    the scores; full recomputation keeps only the layer input (2h). CP splits the sequence.
    "projections" (MaxText's remat_policy save_dot_except_logits_ffn1 / save_dot_except_mlpwi:
    ``save_only_these_names('query_proj', 'key_proj', 'value_proj', 'out_proj', 'ffn2' / 'mlpwo', and
    'wv_prod' in the first)``, MaxText/layers/models.py in Google's MLPerf Training v4.0/v4.1 code)
    keeps the layer input and the outputs of the output projection and FC2 (2h each, whole) and
    Q, K, V and P.V (4h + 4h kv/a, sharded); norms, FC1 and the attention core are recomputed.

    FP8 GEMMs (Transformer Engine) save each GEMM's input for the weight gradient in FP8, 1 byte
    per element instead of 2: ``_Linear.forward`` saves ``inputmat`` / ``inputmat_t`` from
    ``fp8_cast_transpose_fused`` / ``cast_to_fp8`` (transformer_engine/pytorch/module/linear.py);
    the norm output feeding QKV and FC1 is written as uint8 and the activation's output (FC2's
    input) in FP8 (layernorm_mlp.py, NVIDIA/TransformerEngine at 0004dbd0). So the QKV and FC1
    inputs (whole, h each) and FC2's input (f) shrink by ``2 - saved_gemm_input_bytes_per_element``
    bytes per element, while the attention output keeps its 16-bit copy (the fused attention's
    backward reads O) and the projection saves an FP8 copy beside it (+h); FC1's output, Q, K, V
    and the norm inputs stay 16-bit. FP4 recipes are held at the 8-bit figure (an upper bound).

    FP8 storage a recipe states (NeMo's llama2_70b_lora, training_results_v5.0 NVIDIA
    conf/megatron_gpt_peft_tuning_config.yaml lines 44-46): ``fp8_dot_product_attention`` saves Q, K,
    V and the output O for the attention backward in FP8 (1 B instead of 2), and the projection's
    16-bit input is then a copy beside them; ``activation_func_fp8_input_store`` saves FC1's output
    (the SwiGLU input, 2f gated) in FP8 (Megatron-Core TransformerConfig: "Store the input of MLP
    activation function in FP8 for backprop to save memory").

    LoRA (``lora_rank`` > 0, Hu et al. 2021): a frozen linear layer's backward needs only dX = dY Wᵀ,
    so it keeps no input (Transformer Engine saves the input only when ``weight.requires_grad``:
    transformer_engine/pytorch/module/linear.py, ``backward_needs_input``). The adapters on a layer need
    its input for dA = xᵀ (dY Bᵀ): MLPerf's adapters sit on the fused QKV and the output projection
    (NeMo ``target_modules=["linear_proj", "linear_qkv"]``, training_results_v5.0 NVIDIA llama2_70b_lora
    train.py line 208), 16-bit inputs. So the QKV input is the adapter's 2h, FC1's and FC2's inputs are
    not kept, and the projection's input is the adapter's 16-bit copy only when attention saved O in FP8.
    """
    s = seq_len / cp
    h, f = d_model, mlp_width_per_device * tp / ELEM_PER_TOKEN
    masks = where(dropout, 1.0, 0.0)
    gemm_in = saved_gemm_input_bytes_per_element / lit(1.0, "B/elem")  # a GEMM's saved input, per element
    frozen = lora_rank > 0
    attn = where(fp8_dot_product_attention, 1.0, 2.0)  # Q, K, V, O for the attention backward
    # the projection's own saved input: none when it is attention's 16-bit O; LoRA: the adapter's 16 bits
    proj_in = where(frozen, where(fp8_dot_product_attention, 2.0, 0.0),
                    where(fp8_dot_product_attention | (gemm_in < 2.0), gemm_in, 0.0))
    fc1_out = where(is_gated_mlp, 2.0, 1.0) * where(activation_func_fp8_input_store, 1.0, 2.0)
    whole = 4.0 * h + 2.0 * masks * h + where(frozen, 2.0, gemm_in) * h + where(frozen, 0.0, gemm_in) * h
    sharded = attn * (2.0 + 2.0 * n_kv_heads / n_heads) * h + proj_in * h + fc1_out * f \
        + where(frozen, 0.0, gemm_in) * f
    scores = (2.0 + 3.0 * masks) * n_heads * (s / TOKEN)
    keep_scores = where(flash_attention | (recompute == "selective"), 0.0, scores)
    stored = where(sequence_parallel, (whole + sharded + keep_scores) / tp, whole + (sharded + keep_scores) / tp)
    layer_input = where(sequence_parallel, 2.0 * h / tp, 2.0 * h)
    kept_whole, kept_sharded = 6.0 * h, (4.0 + 4.0 * n_kv_heads / n_heads) * h  # "projections"
    projections = where(sequence_parallel, (kept_whole + kept_sharded) / tp, kept_whole + kept_sharded / tp)
    per_token = where(recompute == "full", layer_input, where(recompute == "projections", projections, stored))
    return s * microbatch * per_token * ACTIVATION_BYTES


@training_column
def microbatches_in_flight(num_microbatches: UExpr, pp: UExpr, virtual_stages: UExpr) -> UExpr:
    """Microbatches whose activations the first stage holds: min(m, p) under 1F1B (Narayanan et al.
    §2.2.1), (1 + (p-1)/(p v)) times more under the interleaved schedule (Korthikanti et al. §4.2.3)."""
    base = minimum(num_microbatches, pp)
    return where(virtual_stages > 1, base * (1.0 + (pp - 1.0) / (pp * virtual_stages)), base)


@training_column
def activation_bytes_per_gpu(activation_bytes_per_layer: UExpr, stored_layer_microbatches: UExpr,
                             last_stage_layer_microbatches: UExpr, seq_len: UExpr, cp: UExpr, microbatch: UExpr,
                             vocab_size: UExpr, tp: UExpr, logit_bytes_per_element: UExpr) -> UExpr:
    """The stored layers' activations for the microbatches in flight (``training_ranks``: the first
    stage's, or the fullest rank's under a stated pipeline split or CPU offloading), and one
    microbatch's logits on the stage with the loss (fp32, or 16-bit under a fused loss), the larger."""
    logits = seq_len / cp * microbatch * vocab_size / tp * ELEM_PER_TOKEN * logit_bytes_per_element
    return maximum(activation_bytes_per_layer * stored_layer_microbatches,
                   activation_bytes_per_layer * last_stage_layer_microbatches + logits)


@training_column
def memory_reserve_bytes(memory_reserve_fraction: UExpr, memory_limit_bytes: UExpr, weight_bytes_per_gpu: UExpr,
                         gradient_bytes_per_gpu: UExpr, optimizer_bytes_per_gpu: UExpr,
                         activation_bytes_per_gpu: UExpr, runtime_reserve_bytes: UExpr,
                         allocator_fragmentation: UExpr) -> UExpr:
    """What the process holds besides its tensors (``training_reserve``): the CUDA context and NCCL's
    buffers, and the allocator's fragmentation, the tensors held at 1 / (1 - f) of themselves. A spec
    that sets ``training.memory_reserve_fraction`` takes that share of the usable memory instead (the
    flat reserve of earlier versions; the knob column is null otherwise)."""
    tensors = weight_bytes_per_gpu + gradient_bytes_per_gpu + optimizer_bytes_per_gpu + activation_bytes_per_gpu
    physical = runtime_reserve_bytes + tensors * allocator_fragmentation / (1.0 - allocator_fragmentation)
    return where(memory_reserve_fraction.is_null(), physical, memory_reserve_fraction * memory_limit_bytes)


@training_column
def memory_per_gpu_bytes(weight_bytes_per_gpu: UExpr, gradient_bytes_per_gpu: UExpr, optimizer_bytes_per_gpu: UExpr,
                         activation_bytes_per_gpu: UExpr, memory_reserve_bytes: UExpr) -> UExpr:
    return (weight_bytes_per_gpu + gradient_bytes_per_gpu + optimizer_bytes_per_gpu + activation_bytes_per_gpu
            + memory_reserve_bytes)


@training_column
def memory_headroom_bytes(memory_limit_bytes: UExpr, memory_per_gpu_bytes: UExpr) -> UExpr:
    """Usable memory (``memory.memory_limit_bytes``) left; negative when the layout does not fit."""
    return memory_limit_bytes - memory_per_gpu_bytes


@training_column
def is_feasible(memory_headroom_bytes: UExpr) -> Plain:
    return memory_headroom_bytes >= 0


@training_column
def infeasible_reason(is_feasible: Plain) -> Plain:
    return E.when(~is_feasible).then(E.lit("weights, optimizer and activations exceed GPU memory")) \
        .cast(E.Categorical)
