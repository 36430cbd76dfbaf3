"""Wall 1 for training: the FLOPs of one training step of a decoder and the time the busiest
GPU of a DP x TP x PP x CP (x EP) layout spends on them, and the utilisation they imply.

FLOPs follow the MFU convention of PaLM (Chowdhery et al. 2022, App. B) and Narayanan
et al. 2021 (SC21, eq. 3): 6 x parameters x tokens through the matmuls plus full (non-causal)
attention scores, 3 x the forward pass. The hardware counts the same FLOPs and, under
activation recomputation, the recomputed forward (Korthikanti et al. 2022, §5).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, only_where, total, where
from pipeline.walls.gemm import gemm_capped_efficiency
from pipeline.walls.operators import FLOP_PER_PARAM_TOKEN
from pipeline.walls.quantities import PARAM, TOKEN, TRAIN_TO_FORWARD
from pipeline.walls.registries import training_column

# -- FLOPs of one sequence through the whole model (model side, before any layout) --------
# The shared operators (pipeline.walls.operators) at tp = 1, for one sequence of seq_len tokens.

@training_column
def step_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@training_column
def step_sequences() -> UExpr:
    return lit(1.0)


@training_column
def step_attention_pairs(seq_len: UExpr) -> UExpr:
    """s^2 query-key pairs per layer: the MFU convention counts the full score matrix."""
    s = seq_len / TOKEN
    return s * s


@training_column
def step_kv_read_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@training_column
def step_logit_tokens(seq_len: UExpr) -> UExpr:
    return seq_len


@training_column
def layer_forward_flop_per_sequence(step_qkv_proj_flop: UExpr, step_attention_flop: UExpr, step_o_proj_flop: UExpr,
                                    step_mlp_flop: UExpr, step_norms_flop: UExpr) -> UExpr:
    return step_qkv_proj_flop + step_attention_flop + step_o_proj_flop + step_mlp_flop + step_norms_flop


@training_column
def layer_matmul_forward_flop_per_sequence(step_qkv_proj_flop: UExpr, step_o_proj_flop: UExpr,
                                           step_mlp_flop: UExpr) -> UExpr:
    """The weight matmuls of one layer (QKV, output projection, MLP): what the GEMM model times."""
    return step_qkv_proj_flop + step_o_proj_flop + step_mlp_flop


@training_column
def attention_core_forward_flop_per_sequence(step_attention_flop: UExpr) -> UExpr:
    """Q.K^T and P.V of one layer: what selective recomputation recomputes (Korthikanti et al. 2022, §4.3)."""
    return step_attention_flop


@training_column
def lm_head_forward_flop_per_sequence(step_lm_head_flop: UExpr) -> UExpr:
    return step_lm_head_flop


@training_column
def mtp_forward_flop_per_sequence(mtp_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                                  lm_head_forward_flop_per_sequence: UExpr, d_model: UExpr, seq_len: UExpr) -> UExpr:
    """Multi-token prediction modules (DeepSeek-V3 technical report, arXiv 2412.19437, §2.2): each
    concatenates the normed hidden state and the next token's embedding, projects them back with
    M in R^{d x 2d} (2 x 2d·d FLOPs per token), runs one transformer block and the shared output
    head again. Per sequence: mtp_layers x (projection + one layer + the LM head); 0 without MTP."""
    projection = FLOP_PER_PARAM_TOKEN * 2.0 * d_model * d_model * PARAM * seq_len
    return mtp_layers * (projection + layer_forward_flop_per_sequence + lm_head_forward_flop_per_sequence)


@training_column
def model_flop_per_sequence(n_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                            lm_head_forward_flop_per_sequence: UExpr) -> UExpr:
    """Forward + backward of one sequence: 3 x (L layers + LM head)."""
    return TRAIN_TO_FORWARD * (n_layers * layer_forward_flop_per_sequence + lm_head_forward_flop_per_sequence)


# -- the busiest GPU -------------------------------------------------------------------------

def _mtp_last_gpu(n_layers: UExpr, pp: UExpr, virtual_stages: UExpr, mtp_layers: UExpr, layer: UExpr, head: UExpr,
                  mtp: UExpr) -> tuple[UExpr, UExpr, Plain]:
    """Layers of the last GPU and of every other under MTP: the p·v model chunks hold n = ceil(L/(p·v))
    layers each but the last, which holds the remaining r = L - (p·v - 1)·n, then the MTP modules
    and the loss (Megatron-Bridge's DeepSeek-V3 layouts, recipes/deepseek/deepseek_v3.py
    ``layout_map``: (16, 1) = embedding + 4 decoders, 14 x 4, then 1 decoder + mtp + loss; (4, 4)
    and (8, 2) the same 16 chunks; (8, 1) 7 x 8 then 5): the last GPU runs v - 1 full chunks, the
    remainder and the MTP blocks; the others v·n layers. Also whether the last GPU's forward FLOPs
    (its layers, the LM head ``head`` and the MTP modules ``mtp``; ``layer`` per layer) are the larger."""
    chunks = pp * virtual_stages
    n = (n_layers / chunks).ceil()
    r = (n_layers - (chunks - 1.0) * n).clip(lower=0.0)
    last, other = (virtual_stages - 1.0) * n + r + mtp_layers, virtual_stages * n
    return last, other, (last - mtp_layers) * layer + head + mtp >= other * layer


@training_column
def stage_layers(layers_per_gpu: UExpr, n_layers: UExpr, pp: UExpr, virtual_stages: UExpr, mtp_layers: UExpr,
                 layer_forward_flop_per_sequence: UExpr, lm_head_forward_flop_per_sequence: UExpr,
                 mtp_forward_flop_per_sequence: UExpr) -> UExpr:
    """Transformer blocks the busiest GPU runs: ``layers_per_gpu``; with MTP modules (which must
    follow the last layer: their input is its hidden state, DeepSeek-V3 §2.2) the busier of the
    last GPU (remainder layers + the MTP blocks, ``_mtp_last_gpu``) and the others."""
    last, other, is_last = _mtp_last_gpu(n_layers, pp, virtual_stages, mtp_layers, layer_forward_flop_per_sequence,
                                         lm_head_forward_flop_per_sequence, mtp_forward_flop_per_sequence)
    return where(mtp_layers > 0, where(is_last, last, other), layers_per_gpu)


@training_column
def stage_head_flop_per_sequence(lm_head_forward_flop_per_sequence: UExpr, pp: UExpr, lm_head_on_last_stage: Plain,
                                 mtp_layers: UExpr, n_layers: UExpr, virtual_stages: UExpr,
                                 mtp_forward_flop_per_sequence: UExpr, layer_forward_flop_per_sequence: UExpr) -> UExpr:
    """Forward FLOPs the busiest GPU runs besides its ``stage_layers`` blocks: 1/p of the LM head
    (stages balanced around it), the whole head with ``lm_head_on_last_stage``; with MTP, when
    the last GPU is the busiest, the LM head, the MTP modules' projections and their heads (their
    blocks are in ``stage_layers``), else nothing."""
    balanced = where(lm_head_on_last_stage, lm_head_forward_flop_per_sequence, lm_head_forward_flop_per_sequence / pp)
    _, _, is_last = _mtp_last_gpu(n_layers, pp, virtual_stages, mtp_layers, layer_forward_flop_per_sequence,
                                  lm_head_forward_flop_per_sequence, mtp_forward_flop_per_sequence)
    extra = (lm_head_forward_flop_per_sequence + mtp_forward_flop_per_sequence
             - mtp_layers * layer_forward_flop_per_sequence)
    return where(mtp_layers > 0, where(is_last, extra, 0), balanced)


@training_column
def stage_forward_flop_per_microbatch(stage_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                                      stage_head_flop_per_sequence: UExpr, microbatch: UExpr,
                                      tp: UExpr, cp: UExpr) -> UExpr:
    """The busiest GPU's tp x cp share of a microbatch: its ceil(L/p)-layer stage and 1/p of the
    LM head, i.e. stages balanced around the head (Llama 3, §3.3.2, gives the first and last
    stage one layer less for this); only the rounding of layers to stages is imbalance. With
    ``lm_head_on_last_stage`` the split Megatron-LM makes unless told otherwise (L/p layers on every
    stage, the output layer on the last: Narayanan et al. 2021, §2.2; Megatron-Core's
    ``account_for_loss_in_pipeline_split`` defaults to False), that stage runs the whole head. MTP
    modules sit on the last stage whole (``stage_layers``, ``stage_head_flop_per_sequence``)."""
    return (stage_layers * layer_forward_flop_per_sequence + stage_head_flop_per_sequence) * microbatch / (tp * cp)


@training_column
def mlp_forward_flop_per_sequence(step_mlp_flop: UExpr) -> UExpr:
    return step_mlp_flop


def _fc1_forward(mlp_forward_flop_per_sequence: UExpr, is_gated_mlp: Plain) -> UExpr:
    """FC1's share of the MLP's matmul FLOPs: h x f of 2 h x f, gated (gate and up) 2 h x f of 3 h x f."""
    return mlp_forward_flop_per_sequence * where(is_gated_mlp, 2.0 / 3.0, 0.5)


@training_column
def recompute_flop_per_sequence(recompute: Plain, n_layers: UExpr, layer_forward_flop_per_sequence: UExpr,
                                attention_core_forward_flop_per_sequence: UExpr,
                                mlp_forward_flop_per_sequence: UExpr, is_gated_mlp: Plain) -> UExpr:
    """Forward work done again in the backward pass: every layer (full; the 4/3 of Narayanan et
    al. eq. 3), the attention core only (selective, Korthikanti et al. §4.3), or the attention core
    and FC1 ("projections", MaxText's save_dot_except_*: the norms' few FLOPs are not counted)."""
    projections = attention_core_forward_flop_per_sequence + _fc1_forward(mlp_forward_flop_per_sequence, is_gated_mlp)
    return n_layers * where(recompute == "full", layer_forward_flop_per_sequence,
                            where(recompute == "selective", attention_core_forward_flop_per_sequence,
                                  where(recompute == "projections", projections, 0)))


def _layer_matmul_shapes(tp: UExpr, d_model: UExpr, query_dim: UExpr, value_dim: UExpr, n_kv_heads: UExpr,
                         head_dim: UExpr, dense_mlp_params_per_layer: UExpr, vocab_size: UExpr) -> list:
    """(K, N) of each weight matmul Y[M,N] = X[M,K]·W[K,N] per tp rank: QKV [d, (q + 2·kv heads·d_head)/tp],
    the output projection [v/tp, d], the MLP [d, dense MLP params/(d·tp)], the LM head [d, vocab/tp]."""
    return [(d_model, (query_dim + 2.0 * n_kv_heads * head_dim) / tp), (value_dim / tp, d_model),
            (d_model, dense_mlp_params_per_layer / (d_model * tp * PARAM)), (d_model, vocab_size / tp)]


def flop_weighted_eta(gemms: list, gemm_units: UExpr, gemm_tile_m: UExpr, gemm_tile_n: UExpr,
                       gemm_ceiling: UExpr, gemm_k_half: UExpr, gemm_best_fraction: UExpr,
                       framework_eta_multiplier: UExpr) -> UExpr:
    """sum(M·N·K) / sum(M·N·K / η) over GEMMs given as (M, N, K) of the output C[M,N] and inner K."""
    work = [m * n * k for m, n, k in gemms]
    eff = [gemm_capped_efficiency(m, n, k, gemm_units, gemm_tile_m, gemm_tile_n, gemm_ceiling, gemm_k_half,
                                  gemm_best_fraction) * framework_eta_multiplier for m, n, k in gemms]
    return total(*work) / total(*(w / e for w, e in zip(work, eff, strict=True)))


@training_column
def train_matmul_eta_compute(microbatch: UExpr, seq_len: UExpr, cp: UExpr, tp: UExpr, d_model: UExpr,
                             query_dim: UExpr, value_dim: UExpr, n_kv_heads: UExpr, head_dim: UExpr,
                             dense_mlp_params_per_layer: UExpr, vocab_size: UExpr, n_experts: UExpr,
                             gemm_units: UExpr, gemm_tile_m: UExpr, gemm_tile_n: UExpr, gemm_ceiling: UExpr,
                             gemm_k_half: UExpr, gemm_best_fraction: UExpr, framework_eta_multiplier: UExpr) -> UExpr:
    """The GEMM shape model (``pipeline.walls.gemm``) over the busiest GPU's forward weight matmuls
    (and their recomputation), FLOP-weighted: sum(M·N·K) / sum(M·N·K / η). M = microbatch x seq_len
    / cp tokens (Megatron's sequence parallelism all-gathers them before each GEMM, Korthikanti et
    al. 2022 §4.2.2); (K, N) per tp rank from ``_layer_matmul_shapes``. Null for MoE (per-expert M
    depends on routing and EP) and without a kernel fit (the profile η then)."""
    m = microbatch * seq_len / (cp * TOKEN)
    shapes = _layer_matmul_shapes(tp, d_model, query_dim, value_dim, n_kv_heads, head_dim,
                                  dense_mlp_params_per_layer, vocab_size)
    eta = flop_weighted_eta([(m, n, k) for k, n in shapes], gemm_units, gemm_tile_m, gemm_tile_n, gemm_ceiling,
                             gemm_k_half, gemm_best_fraction, framework_eta_multiplier)
    return only_where(n_experts.is_null() & gemm_units.is_not_null(), eta)


@training_column
def train_backward_matmul_eta_compute(microbatch: UExpr, seq_len: UExpr, cp: UExpr, tp: UExpr, d_model: UExpr,
                                      query_dim: UExpr, value_dim: UExpr, n_kv_heads: UExpr, head_dim: UExpr,
                                      dense_mlp_params_per_layer: UExpr, vocab_size: UExpr, n_experts: UExpr,
                                      gemm_units: UExpr, gemm_tile_m: UExpr, gemm_tile_n: UExpr,
                                      gemm_ceiling: UExpr, gemm_k_half: UExpr, gemm_best_fraction: UExpr,
                                      framework_eta_multiplier: UExpr) -> UExpr:
    """The same model over the backward GEMMs of each forward Y[M,N] = X[M,K]·W[K,N], at their own
    shapes (the chain rule; Megatron-LM's ColumnParallelLinear/RowParallelLinear backward): dgrad
    dX = dY·Wᵀ, output M x K over inner N; wgrad dW = Xᵀ·dY, output K x N over inner M (the
    microbatch's tokens). Each has the forward's 2·M·N·K FLOPs, so the pair is FLOP-weighted
    equally. Null where ``train_matmul_eta_compute`` is."""
    m = microbatch * seq_len / (cp * TOKEN)
    shapes = _layer_matmul_shapes(tp, d_model, query_dim, value_dim, n_kv_heads, head_dim,
                                  dense_mlp_params_per_layer, vocab_size)
    gemms = [(m, k, n) for k, n in shapes] + [(k, n, m) for k, n in shapes]
    eta = flop_weighted_eta(gemms, gemm_units, gemm_tile_m, gemm_tile_n, gemm_ceiling, gemm_k_half,
                             gemm_best_fraction, framework_eta_multiplier)
    return only_where(n_experts.is_null() & gemm_units.is_not_null(), eta)


@training_column
def flop_time_per_microbatch_s(stage_forward_flop_per_microbatch: UExpr, recompute_flop_per_sequence: UExpr,
                               n_layers: UExpr, stage_layers: UExpr, microbatch: UExpr, tp: UExpr, cp: UExpr,
                               recompute: Plain, layer_forward_flop_per_sequence: UExpr,
                               layer_matmul_forward_flop_per_sequence: UExpr,
                               attention_core_forward_flop_per_sequence: UExpr,
                               stage_head_flop_per_sequence: UExpr, train_matmul_eta_compute: UExpr,
                               train_backward_matmul_eta_compute: UExpr, peak_flop_per_s: UExpr,
                               attention_peak_flop_per_s: UExpr, eta_compute: UExpr,
                               mlp_forward_flop_per_sequence: UExpr, is_gated_mlp: Plain,
                               weight_gradient_matmuls: UExpr, unfused_attention_eta_compute: UExpr,
                               unfused_attention_backward_eta_compute: UExpr, attention_time_ratio_bf16: UExpr,
                               attention_time_ratio_fp8: UExpr, fp8_dot_product_attention: Plain) -> UExpr:
    """The FLOP-bound part of ``compute_time_per_microbatch_s`` (a column of its own: it reads no count of
    microbatches, so the one-node reference computes it once per shape, ``studies.training_reference``).
    Wall 1 on the busiest GPU: (3 x forward + recomputed forward) / (peak x eta). With a GEMM
    kernel fit (``train_matmul_eta_compute`` not null) each operator at its own speed: the weight
    matmuls (the layers' and the LM head's) at their forward η (recomputed too under full
    recomputation) and their backward (2 x the forward FLOPs: dgrad and wgrad) at the backward η;
    the attention core (Q.K^T, P.V; recomputed under full, selective and projections recomputation) at the
    profile's eta_compute of ``attention_peak_flop_per_s``: the 16-bit peak under an FP8/FP4
    recipe, whose attention runs in bf16 (Transformer Engine's fp8_dpa defaults to False), times the
    kernel catalog's ``training_attention_time_ratio`` of the precision attention runs in (FP8 where the run sets
    ``fp8_dot_product_attention``, else bf16): the device's measured fused-attention time over its family's
    reference device at bf16, x their bf16 peaks' ratio (NVIDIA cuDNN SDPA tables, cudnn-frontend fb682ce
    benchmark/sdpa_benchmark_training/results/llama3.1, research/r-trattn; 1 where unmeasured).
    Without a fused attention kernel the core's batched GEMMs take the GEMM model's η at their
    own shapes instead, forward (and recomputed) at ``unfused_attention_eta_compute``, backward (2 x)
    at ``unfused_attention_backward_eta_compute`` (``pipeline.walls.training_attention``); the
    element-wise kernels (norms, residual adds, activation, unfused softmax and dropout) at the
    memory bandwidth (``pipeline.walls.training_traffic``), their few FLOPs not timed apart.
    LoRA (``pipeline.walls.training_lora``): the frozen base's weight matmuls have no weight gradient
    (``weight_gradient_matmuls`` 0; its data gradient runs at the backward η) and the adapters add
    ``adapter_time_per_microbatch_s``. The stage: ``stage_layers`` blocks and ``stage_head_flop_per_sequence``
    (the LM head's share, the MTP modules' projections and heads: matmuls)."""
    share = microbatch / (tp * cp)
    recomputed = recompute_flop_per_sequence * (stage_layers / n_layers) * share
    matmul = (stage_layers * layer_matmul_forward_flop_per_sequence + stage_head_flop_per_sequence) * share
    frozen = (1.0 - weight_gradient_matmuls) * matmul  # weight-gradient FLOPs a frozen base skips
    constant = (TRAIN_TO_FORWARD * stage_forward_flop_per_microbatch + recomputed - frozen) \
        / (peak_flop_per_s * eta_compute)
    fc1 = _fc1_forward(mlp_forward_flop_per_sequence, is_gated_mlp) * stage_layers * share
    matmul_recomputed = where(recompute == "full", recomputed * layer_matmul_forward_flop_per_sequence
                              / layer_forward_flop_per_sequence, where(recompute == "projections", fc1, 0))
    attention = stage_layers * attention_core_forward_flop_per_sequence * share
    attention_recomputed = where((recompute == "full") | (recompute == "selective") | (recompute == "projections"),
                                 attention, 0)
    # seconds the fused core takes: its FLOPs at the reference's attainment (peak x eta) x the measured time ratio
    fused = (TRAIN_TO_FORWARD * attention + attention_recomputed) / (attention_peak_flop_per_s * eta_compute) \
        * where(fp8_dot_product_attention, attention_time_ratio_fp8, attention_time_ratio_bf16)
    kernel = ((matmul + matmul_recomputed) / (peak_flop_per_s * train_matmul_eta_compute)
              + (TRAIN_TO_FORWARD - 2.0 + weight_gradient_matmuls) * matmul
              / (peak_flop_per_s * train_backward_matmul_eta_compute)
              + fused)
    unfused = ((attention + attention_recomputed) / (attention_peak_flop_per_s * unfused_attention_eta_compute)
               + (TRAIN_TO_FORWARD - 1.0) * attention
               / (attention_peak_flop_per_s * unfused_attention_backward_eta_compute)
               - fused)
    kernel = kernel + where(unfused_attention_eta_compute.is_not_null(), unfused, 0)
    return where(train_matmul_eta_compute.is_not_null(), kernel.to("s"), constant.to("s"))


@training_column
def compute_time_per_microbatch_s(flop_time_per_microbatch_s: UExpr, train_matmul_eta_compute: UExpr,
                                  elementwise_time_per_microbatch_s: UExpr, quantize_time_per_microbatch_s: UExpr,
                                  adapter_time_per_microbatch_s: UExpr) -> UExpr:
    """Wall 1 on the busiest GPU: the FLOP-bound time (``flop_time_per_microbatch_s``), plus with a GEMM kernel
    fit (whose GEMMs are timed on already-quantized operands) the element-wise kernels and an FP8 / FP4 recipe's
    GEMM-input casts (``training_quantize``) at the memory bandwidth, plus LoRA's adapters."""
    return where(train_matmul_eta_compute.is_not_null(),
                 flop_time_per_microbatch_s + elementwise_time_per_microbatch_s + quantize_time_per_microbatch_s,
                 flop_time_per_microbatch_s) + adapter_time_per_microbatch_s


# -- utilisation (wall 3) ----------------------------------------------------------------------

@training_column
def model_flop_per_step(global_batch: UExpr, train_flop_per_sequence: UExpr,
                        mtp_forward_flop_per_sequence: UExpr) -> UExpr:
    """The step's model FLOPs (PaLM App. B): under LoRA without the frozen weights' gradients
    (``training_lora.train_flop_per_sequence``); the MTP modules' forward and backward too."""
    return global_batch * (train_flop_per_sequence + TRAIN_TO_FORWARD * mtp_forward_flop_per_sequence)


@training_column
def hardware_flop_per_step(model_flop_per_step: UExpr, global_batch: UExpr,
                           recompute_flop_per_sequence: UExpr) -> UExpr:
    return model_flop_per_step + global_batch * recompute_flop_per_sequence


@training_column
def mfu(model_flop_per_step: UExpr, step_time_s: UExpr, gpus: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Model FLOPs utilisation (PaLM, Chowdhery et al. 2022, App. B), against the compute dtype's peak."""
    return (model_flop_per_step / (step_time_s * gpus * peak_flop_per_s)).to("")


@training_column
def hfu(hardware_flop_per_step: UExpr, step_time_s: UExpr, gpus: UExpr, peak_flop_per_s: UExpr) -> UExpr:
    """Hardware FLOPs utilisation: recomputation counted (Narayanan et al.'s "% of peak")."""
    return (hardware_flop_per_step / (step_time_s * gpus * peak_flop_per_s)).to("")
