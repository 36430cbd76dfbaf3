"""LoRA fine-tuning in the training study (issue 12): low-rank adapters trained on a frozen base.

Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685: an adapted
matrix W0 (d_in x d_out) computes h = W0 x + B A x (§4.1, eq. 3), A: r x d_in and B: d_out x r; W0
is frozen and only A and B train. Against training every weight (rank 0, the default: every column
as before):

- FLOPs. The forward is the base's plus 2 r (d_in + d_out) per adapted matrix and token (x A, then
  (x A) B: one multiply-accumulate per adapter weight, eq. 3). The backward of a GEMM Y = X W is the
  data gradient dX = dY Wᵀ and the weight gradient dW = Xᵀ dY, each as many FLOPs as the forward
  (the factor 3 of Narayanan et al. 2021, SC21, eq. 3). A frozen W still needs dX (the adapters of
  the layers below need the gradient) but not dW: the base's weight matmuls cost 2x their forward
  instead of 3x, hence the 25 % faster GPT-3 175B step Hu et al. measure (§4.2: "we do not need to
  calculate the gradient for the vast majority of the parameters"). Attention scores have no
  weights and keep 3x; the adapters train fully, 3 x 2 r (d_in + d_out).
- Memory. The frozen base keeps its working weights but has no gradients and no fp32 master or
  Adam state (§4.2: training memory "reduced by up to 2/3"); the adapters have all three.
- Communication. The data-parallel reduction carries the adapters' gradients only; ZeRO-3 / FSDP
  still gathers the frozen base's weights in the forward and the backward. TP/PP/CP traffic is the
  activations', unchanged.

The adapted matrices are the fused QKV projection and the attention output projection, as in MLPerf
Training's llama2_70b_lora reference (mlcommons/training, llama2_70b_lora/run_llama_70B_scrolls_r16.sh:
``--lora_r 16 --lora_target_modules "qkv_proj,o_proj"`` on the fused-QKV Llama 2 70B; Megatron's
``linear_qkv`` is fused the same way): Σ(d_in + d_out) = (d + q + 2 kv) + (v + d) per layer. The
adapters are split over tp as S-LoRA splits them (Sheng et al. 2024, arXiv:2311.03285 §5), first
order: NeMo replicates A of a column-parallel and B of a row-parallel layer, a few MB more.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, where
from pipeline.walls.communication import hierarchical_all_reduce_s
from pipeline.walls.operators import FLOP_PER_MAC
from pipeline.walls.quantities import PARAM, TOKEN, TRAIN_TO_FORWARD, WORKING_WEIGHT_BYTES
from pipeline.walls.registries import training_column
from pipeline.walls.training_compute import flop_weighted_eta


@training_column
def adapter_dims_per_layer(d_model: UExpr, query_dim: UExpr, value_dim: UExpr, n_kv_heads: UExpr,
                           head_dim: UExpr) -> UExpr:
    """Σ(d_in + d_out) over the adapted matrices of one layer: fused QKV (d -> q + 2 H_kv d_h) and
    the output projection (v -> d)."""
    return (d_model + query_dim + 2.0 * n_kv_heads * head_dim) + (value_dim + d_model)


@training_column
def adapter_params_per_gpu(lora_rank: UExpr, adapter_dims_per_layer: UExpr, layers_per_gpu: UExpr,
                           tp: UExpr) -> UExpr:
    """A and B of the GPU's layers, r x Σ(d_in + d_out) each (LoRA §4.1), over tp; 0 at rank 0."""
    return layers_per_gpu * lora_rank * adapter_dims_per_layer / tp * PARAM


@training_column
def trainable_params_per_gpu(lora_rank: UExpr, params_per_gpu: UExpr, adapter_params_per_gpu: UExpr) -> UExpr:
    """The weights that get gradients and optimizer state: every weight, or the adapters alone (LoRA)."""
    return where(lora_rank > 0, adapter_params_per_gpu, params_per_gpu)


@training_column
def weight_gradient_matmuls(lora_rank: UExpr) -> UExpr:
    """Weight-gradient GEMMs per forward weight GEMM of the base: 1 when every weight trains, 0 for
    LoRA's frozen base (dX = dY Wᵀ is still computed, dW = Xᵀ dY is not)."""
    return where(lora_rank > 0, 0.0, 1.0)


@training_column
def adapter_forward_flop_per_sequence(lora_rank: UExpr, adapter_dims_per_layer: UExpr, seq_len: UExpr) -> UExpr:
    """One layer's adapters over one sequence: 2 r Σ(d_in + d_out) FLOPs per token (LoRA eq. 3)."""
    return FLOP_PER_MAC * (seq_len / TOKEN) * lora_rank * adapter_dims_per_layer


@training_column
def train_flop_per_sequence(model_flop_per_sequence: UExpr, weight_gradient_matmuls: UExpr, n_layers: UExpr,
                            layer_matmul_forward_flop_per_sequence: UExpr,
                            lm_head_forward_flop_per_sequence: UExpr,
                            adapter_forward_flop_per_sequence: UExpr) -> UExpr:
    """The FLOPs one training step spends on a sequence (MFU's model FLOPs): 3 x forward with every
    weight trained; under LoRA the frozen matmuls' weight gradients (layers and LM head, 1 x their
    forward) drop out and the adapters' 3 x forward comes in."""
    frozen = (1.0 - weight_gradient_matmuls) * (n_layers * layer_matmul_forward_flop_per_sequence
                                                + lm_head_forward_flop_per_sequence)
    return model_flop_per_sequence - frozen + TRAIN_TO_FORWARD * n_layers * adapter_forward_flop_per_sequence


def _adapter_gemms(m: UExpr, rank: UExpr, tp: UExpr, d_model: UExpr, query_dim: UExpr, value_dim: UExpr,
                   n_kv_heads: UExpr, head_dim: UExpr) -> list:
    """(M, N, K) of the six GEMMs of each adapted matrix per tp rank, all 2·M·r·d FLOPs: forward x·A
    (M, r, d_in) and (xA)·B (M, d_out, r); data gradients (M, r, d_out) and (M, d_in, r); weight
    gradients dA (d_in, r, M) and dB (r, d_out, M). Thin (r = 16 columns): tile quantization keeps
    them far below the peak, which the GEMM model states."""
    out = []
    for d_in, d_out in ((d_model, (query_dim + 2.0 * n_kv_heads * head_dim) / tp), (value_dim / tp, d_model)):
        out += [(m, rank, d_in), (m, d_out, rank), (m, rank, d_out), (m, d_in, rank), (d_in, rank, m),
                (rank, d_out, m)]
    return out


@training_column
def adapter_eta_compute(lora_rank: UExpr, microbatch: UExpr, seq_len: UExpr, cp: UExpr, tp: UExpr, d_model: UExpr,
                        query_dim: UExpr, value_dim: UExpr, n_kv_heads: UExpr, head_dim: UExpr,
                        gemm_units: UExpr, gemm_tile_m: UExpr, gemm_tile_n: UExpr, gemm_ceiling: UExpr,
                        gemm_k_half: UExpr, gemm_best_fraction: UExpr, framework_eta_multiplier: UExpr,
                        eta_compute: UExpr) -> UExpr:
    """The GEMM shape model (``pipeline.walls.gemm``) over the adapters' GEMMs (``_adapter_gemms``),
    FLOP-weighted; the profile's eta_compute without a kernel fit or at rank 0."""
    m = microbatch * seq_len / (cp * TOKEN)
    rank = lora_rank.clip(lower=1.0)
    gemms = _adapter_gemms(m, rank, tp, d_model, query_dim, value_dim, n_kv_heads, head_dim)
    eta = flop_weighted_eta(gemms, gemm_units, gemm_tile_m, gemm_tile_n, gemm_ceiling, gemm_k_half,
                            gemm_best_fraction, framework_eta_multiplier)
    return where(gemm_units.is_not_null(), eta, eta_compute)


@training_column
def adapter_time_per_microbatch_s(adapter_forward_flop_per_sequence: UExpr, layers_per_gpu: UExpr,
                                  microbatch: UExpr, tp: UExpr, cp: UExpr, recompute: Plain,
                                  peak_flop_per_s: UExpr, adapter_eta_compute: UExpr) -> UExpr:
    """The adapters' forward, backward (data and weight gradients) and, under full recomputation,
    their recomputed forward on the busiest GPU: 3 (or 4) x the forward FLOPs at the adapters' η."""
    passes = TRAIN_TO_FORWARD + where(recompute == "full", 1.0, 0.0)
    flop = passes * layers_per_gpu * adapter_forward_flop_per_sequence * microbatch / (tp * cp)
    return (flop / (peak_flop_per_s * adapter_eta_compute)).to("s")


@training_column
def dp_frozen_gather_time_s(lora_rank: UExpr, zero_stage: UExpr, params_per_gpu: UExpr, dp: UExpr,
                            dp_ranks_per_domain: UExpr, scaleup_link_latency_s: UExpr, scaleup_beta_bytes_per_s: UExpr,
                            scaleout_latency_s: UExpr, scaleout_beta_bytes_per_s: UExpr) -> UExpr:
    """ZeRO-3 / FSDP under LoRA: the frozen base's 16-bit weights gathered in the forward and again in
    the backward, two all-gathers, an all-reduce's worth of bytes (hierarchical, as the gradients'); 0
    otherwise (``communication.dp_allreduce_time_s`` adds it)."""
    g = dp_ranks_per_domain
    gathers = hierarchical_all_reduce_s(dp / g, g, params_per_gpu * WORKING_WEIGHT_BYTES, scaleup_link_latency_s,
                                        scaleup_beta_bytes_per_s, scaleout_latency_s, scaleout_beta_bytes_per_s)
    return where((lora_rank > 0) & (zero_stage >= 3), gathers, 0)
