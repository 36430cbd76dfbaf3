"""Wall 2 (memory): bytes moved per step, the time to move them, and whether the step fits.

Traffic counted per step (first order, no cache reuse across steps): for transformers,
the bytes of the shared layer operators (``pipeline.walls.operators``: weights read once
per forward, MoE only the routed experts some token picked, K/V read over the context
and appended, activations in and out of each operator); for CNNs the weights and each
layer's feature maps written once and read once. A training step moves 3x the forward
(forward read, backward read, gradient write); the optimizer update after it is a pass of its own
(``pipeline.walls.node_data_parallel``), added beside the roofline with the element-wise kernels.
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import E, Plain, UExpr, lit, maximum, minimum, where
from pipeline.walls.attention_pattern import held_tokens
from pipeline.walls.operators import per_pass
from pipeline.walls.quantities import OPTIMIZER_BYTES, TOKEN

# Korthikanti et al. 2022 (arXiv:2205.05198) eq. 1: activation bytes per layer at
# 16-bit = s·b·h·(34 + 5·a·s/h), with no recomputation and no parallelism (the 5·a·s/h of the
# attention scores is not stored under FlashAttention: activation_memory_bytes).
KORTHIKANTI_16BIT_BYTES = 2.0


@column
def weight_bytes(params_computed: UExpr, weight_bytes_per_param: UExpr) -> UExpr:
    """Resident weights: every parameter (all experts of an MoE) in the compute dtype."""
    return params_computed * weight_bytes_per_param


@column
def step_weight_params_read(n_layers: UExpr, step_qkv_proj_weight_params: UExpr, step_o_proj_weight_params: UExpr,
                            step_mlp_weight_params: UExpr, step_lm_head_weight_params: UExpr) -> UExpr:
    """Weights one forward pass reads: the operators' (MoE: only the experts some token picks)."""
    layers = [step_qkv_proj_weight_params, step_o_proj_weight_params, step_mlp_weight_params]
    return per_pass(n_layers, layers, step_lm_head_weight_params)


@column
def weight_traffic_bytes(is_transformer: Plain, step: Plain, params_computed: UExpr, weight_bytes_per_param: UExpr,
                         step_weight_params_read: UExpr) -> UExpr:
    """Weights read by one forward pass; a training step adds backward read and gradient write (the
    optimizer's read-modify-write of its fp32 state runs after them: ``optimizer_traffic_bytes``)."""
    forward = where(is_transformer, step_weight_params_read, params_computed) * weight_bytes_per_param
    return where(step == "train", 3.0 * forward, forward)


@column
def kv_cache_bytes(step: Plain, kv_bytes_per_token_per_device: UExpr, batch: UExpr, seq_len: UExpr,
                   sliding_window_tokens: UExpr, sliding_layer_share: UExpr, kv_layer_share: UExpr) -> UExpr:
    """KV cache held for the context: 2·L·H_kv·d_head·S·B·bytes (exact; the seed's formula), S the
    layer-mean tokens kept (``attention_pattern.held_tokens``: min(S, window) on sliding-window
    layers, none on KV-sharing layers). Generation only (prefill and decode); 0 for encoders and
    training steps."""
    held = held_tokens(seq_len, sliding_window_tokens, sliding_layer_share, kv_layer_share)
    cache = kv_bytes_per_token_per_device * held * batch
    return where((step == "prefill") | (step == "decode"), cache, 0).fill_null(0)


@column
def kv_traffic_elements(is_transformer: Plain, n_layers: UExpr, step_attention_kv_elements: UExpr,
                        step_multiplier: UExpr) -> UExpr:
    """K/V read over the context and appended for the step's tokens, every layer."""
    return where(is_transformer, n_layers * step_attention_kv_elements * step_multiplier, 0)


@column
def kv_traffic_bytes(kv_traffic_elements: UExpr, kv_bytes_per_element: UExpr) -> UExpr:
    return kv_traffic_elements * kv_bytes_per_element


@column
def step_activation_elements(
    n_layers: UExpr, step_qkv_proj_activation_elements: UExpr, step_attention_activation_elements: UExpr,
    step_o_proj_activation_elements: UExpr, step_mlp_activation_elements: UExpr,
    step_norms_activation_elements: UExpr, step_lm_head_activation_elements: UExpr,
) -> UExpr:
    """Activation elements the operators of one forward pass read and write."""
    layers = [step_qkv_proj_activation_elements, step_attention_activation_elements,
              step_o_proj_activation_elements, step_mlp_activation_elements, step_norms_activation_elements]
    return per_pass(n_layers, layers, step_lm_head_activation_elements)


@column
def activation_traffic_elements(is_transformer: Plain, activation_elements_per_sample: UExpr, batch: UExpr,
                                step_activation_elements: UExpr, step_multiplier: UExpr) -> UExpr:
    """Transformers: the operators' activation reads and writes; CNN: each layer's output
    written once and read once."""
    cnn = 2.0 * activation_elements_per_sample * batch
    return where(is_transformer, step_activation_elements, cnn) * step_multiplier


# A CNN training step's element-wise passes over each feature map, per element, in separate
# kernels from the convolutions (PyTorch and MXNet call cuDNN's batch-norm, then an activation kernel):
# - batch norm (Ioffe & Szegedy 2015, arXiv:1502.03167, Algorithm 1 and §3 backward): forward reads
#   the map for the mini-batch mean and variance (1), reads it again and writes the normalised map
#   (2); backward reads the incoming gradient and the input for the two reductions (2), then reads
#   both again and writes the gradient (3): 8 passes. ResNet puts it "right after each convolution
#   and before activation" (He et al. 2015, arXiv:1512.03385 §3.4).
# - the activation (ReLU, ReLU6, SiLU): forward reads and writes (2), backward reads the gradient and
#   the forward value and writes the gradient (3): 5 passes.
# The convolutions' own reads and writes (forward, data and weight gradients: 6 passes, the
# ``activation_traffic_elements`` of a train step) overlap their math; these do not: "non-convolutional
# layers ... are often constrained by main-memory bandwidth" and BN's mini-batch statistics defeat
# fusing it into the convolution (Jung et al. 2019, "Restructuring Batch Normalization to Accelerate
# CNN Training", SysML, arXiv:1807.01702, abstract and §3). Residual adds and pooling are not counted.
BATCH_NORM_TRAIN_PASSES = 8.0
ACTIVATION_TRAIN_PASSES = 5.0


@column
def elementwise_passes(is_transformer: Plain, step: Plain, norm_type: Plain) -> UExpr:
    """Element-wise passes over each feature map in a CNN training step (activation, plus batch norm
    where the model has it); 0 for transformers (their norms are operators) and at inference (BN folds
    into the convolution's weights and the activation into its epilogue: TensorRT's layer fusion)."""
    cnn = ACTIVATION_TRAIN_PASSES + where(norm_type == "batchnorm", BATCH_NORM_TRAIN_PASSES, 0.0)
    return where(~is_transformer & (step == "train"), cnn, 0.0)


@column
def elementwise_traffic_bytes(elementwise_passes: UExpr, activation_elements_per_sample: UExpr, batch: UExpr,
                              bytes_per_element: UExpr) -> UExpr:
    """Bytes the element-wise kernels move: passes x feature-map elements x batch x bytes each."""
    return (elementwise_passes * activation_elements_per_sample.fill_null(0.0) * batch
            * bytes_per_element).fill_null(0.0)


@column
def elementwise_time_s(elementwise_traffic_bytes: UExpr, optimizer_traffic_bytes: UExpr,
                       memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """The memory-bound kernels beside the GEMMs and convolutions, at the memory bandwidth and added to the
    step (not overlapped): the element-wise passes and a training step's optimizer update
    (``node_data_parallel.optimizer_traffic_bytes``), which runs after the backward pass."""
    return ((elementwise_traffic_bytes + optimizer_traffic_bytes) / memory_bandwidth_bytes_per_s).to("s")


@column
def activation_traffic_bytes(activation_traffic_elements: UExpr, bytes_per_element: UExpr) -> UExpr:
    return activation_traffic_elements * bytes_per_element


@column
def bytes_moved(weight_traffic_bytes: UExpr, kv_traffic_bytes: UExpr,
                activation_traffic_bytes: UExpr) -> UExpr:
    return weight_traffic_bytes + kv_traffic_bytes + activation_traffic_bytes


@column
def memory_time_s(bytes_moved: UExpr, memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Wall 2: T = bytes moved / memory bandwidth (datasheet bandwidth for now)."""
    return (bytes_moved / memory_bandwidth_bytes_per_s).to("s")


@column
def activation_memory_bytes(
    is_transformer: Plain, step: Plain, activation_elements_per_sample: UExpr, batch: UExpr,
    n_layers: UExpr, tokens_per_step: UExpr, seq_len: UExpr, d_model: UExpr,
    ffn_dim: UExpr, bytes_per_element: UExpr, prefill_chunk_tokens: UExpr,
) -> UExpr:
    """Activations resident during the step.

    CNN: every feature map of the batch (what training keeps for backward; an upper
    bound at inference). Transformer inference: input and output of the widest layer for
    the tokens in flight: a decoder's prefill holds at most ``prefill_chunk_tokens`` (the
    serving study's knob) at a time, as LLM servers do: vLLM schedules at most
    max_num_batched_tokens per step and sizes its activation reserve by one profiled
    forward pass of that many tokens (vllm/worker/model_runner.py profile_run: "Profile
    memory usage with max_num_sequences sequences and the total number of tokens equal to
    max_num_batched_tokens"), TensorRT-LLM likewise by max_num_tokens. An encoder's forward
    and a decode step hold the whole batch.
    Transformer training: Korthikanti et al. 2022 eq. 1, s·b·h·(34 + 5·a·s/h) per layer
    at 16 bits, scaled to the dtype, without the 5·a·s/h of the stored attention scores:
    FlashAttention-class kernels (Dao et al. 2022, arXiv:2205.14135 §3.1: the backward
    recomputes the s x s scores from Q, K, V and the softmax statistics) never keep them,
    as the training study assumes by default (training.flash_attention = true) and as MLPerf's
    BERT runs (fused multi-head attention) do.
    """
    elem = lit(1.0, "elem")
    cnn = activation_elements_per_sample * batch
    widest = maximum(d_model, ffn_dim)
    in_flight = where(step == "prefill", minimum(tokens_per_step, prefill_chunk_tokens), tokens_per_step)
    inference = 2.0 * (in_flight / TOKEN) * widest * elem
    s = seq_len / TOKEN
    korthikanti = n_layers * s * batch * d_model * 34.0
    training = korthikanti * elem / KORTHIKANTI_16BIT_BYTES
    transformer = where(step == "train", training, inference)
    return where(is_transformer, transformer, cnn) * bytes_per_element


@column
def optimizer_state_bytes(step: Plain, params_computed: UExpr, weight_bytes_per_param: UExpr) -> UExpr:
    """Training only: gradients in the compute dtype plus 12 B/param of Adam state."""
    state = params_computed * (weight_bytes_per_param + OPTIMIZER_BYTES)
    return where(step == "train", state, 0)


@column
def memory_footprint_bytes(weight_bytes: UExpr, kv_cache_bytes: UExpr, activation_memory_bytes: UExpr,
                           optimizer_state_bytes: UExpr) -> UExpr:
    return weight_bytes + kv_cache_bytes + activation_memory_bytes + optimizer_state_bytes


@column
def memory_limit_bytes(usable_memory_bytes: UExpr, memory_capacity_bytes: UExpr) -> UExpr:
    """Device memory a process can allocate: the total the driver reports (hardware catalog
    ``usable_memory_bytes``, e.g. nvidia-smi's 81559 MiB on an H100 SXM, 361 MiB under its 80 GiB)
    where a public report is cited, else the as-built capacity: no cited source gives the
    driver's share for the other parts (registry_data/research/usable_memory.csv)."""
    return usable_memory_bytes.fill_null(memory_capacity_bytes)


@column
def memory_headroom_bytes(memory_limit_bytes: UExpr, memory_footprint_bytes: UExpr) -> UExpr:
    """Usable memory left after the footprint; negative when the step does not fit."""
    return memory_limit_bytes - memory_footprint_bytes


@column
def is_feasible(memory_headroom_bytes: UExpr) -> Plain:
    return memory_headroom_bytes >= lit(0.0, "B")


@column
def infeasible_reason(is_feasible: Plain) -> Plain:
    """Why a configuration cannot run (the footprint and capacity columns give the numbers)."""
    return (E.when(is_feasible).then(E.lit(None, E.String))
            .otherwise(E.lit("memory: footprint exceeds device memory"))).cast(E.Categorical)
