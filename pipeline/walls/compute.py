"""Wall 1 (compute): FLOPs per step and the time to do them at the achieved fraction of peak.

Transformer FLOPs follow Kaplan et al. 2020 (arXiv:2001.08361, Table 1): 2 FLOPs per
active weight per token, plus attention scores and values over the context; the
backward pass costs about twice the forward (so a training step is 3x forward).
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, minimum, where
from pipeline.walls.attention_pattern import attended_tokens, causal_pairs
from pipeline.walls.operators import per_pass
from pipeline.walls.quantities import TOKEN, TRAIN_TO_FORWARD


@column
def is_transformer(model_type: Plain) -> Plain:
    return model_type != "cnn"


@column
def step_multiplier(step: Plain) -> UExpr:
    """Forward-pass equivalents in one step: 3 for a training step, else 1."""
    return where(step == "train", TRAIN_TO_FORWARD, 1.0)


@column
def tokens_per_step(step: Plain, batch: UExpr, seq_len: UExpr) -> UExpr:
    """Tokens that pass through the weights: one per sequence in decode, the whole sequence otherwise."""
    return where(step == "decode", batch * TOKEN, batch * seq_len)


# Masked-LM pre-training masks 15 % of the tokens and feeds only their final hidden vectors to the
# softmax over the vocabulary (Devlin et al. 2019, arXiv:1810.04805, §3.1 "Task #1: Masked LM";
# google-research/bert run_pretraining.py get_masked_lm_output gathers masked_lm_positions;
# NVIDIA's MLPerf BERT, --dense_seq_output, likewise).
MASKED_LM_FRACTION = 0.15


@column
def logit_tokens_per_step(step: Plain, model_type: Plain, batch: UExpr,
                          tokens_per_step: UExpr) -> UExpr:
    """Positions projected onto the vocabulary: every token when a decoder trains, the masked
    15 % when an encoder pre-trains (masked LM), the last one per sequence when generating, none
    for an encoder's task head at inference."""
    serving = where(model_type == "encoder", 0, batch * TOKEN)
    training = where(model_type == "encoder", MASKED_LM_FRACTION * tokens_per_step, tokens_per_step)
    return where(step == "train", training, serving)


@column
def attention_pairs_per_sequence(step: Plain, model_type: Plain, seq_len: UExpr, sliding_window_tokens: UExpr,
                                 sliding_layer_share: UExpr) -> UExpr:
    """(query, key) pairs per layer per sequence: S for one decode token over an S-token cache,
    S^2/2 for a causal prompt (Kaplan's 2·n_ctx·d_attn per token), S^2 for a bidirectional encoder;
    sliding-window layers attend over at most the window (``attention_pattern``, layer mean)."""
    s = seq_len / TOKEN
    decode = attended_tokens(seq_len, sliding_window_tokens, sliding_layer_share) / TOKEN
    causal = causal_pairs(seq_len, sliding_window_tokens, sliding_layer_share)
    return where(step == "decode", decode, where(model_type == "encoder", s * s, causal))


# The node study's step as a phase of the shared operators (pipeline.walls.operators).
@column
def step_tokens(tokens_per_step: UExpr) -> UExpr:
    return tokens_per_step


@column
def step_sequences(batch: UExpr) -> UExpr:
    return batch


@column
def step_attention_pairs(attention_pairs_per_sequence: UExpr) -> UExpr:
    return attention_pairs_per_sequence


@column
def step_kv_read_tokens(step: Plain, seq_len: UExpr, sliding_window_tokens: UExpr,
                        sliding_layer_share: UExpr) -> UExpr:
    """Every step reads its context's K/V once (decode: the cache, on sliding-window layers its last
    window only; prefill: flash attention)."""
    decode = attended_tokens(seq_len, sliding_window_tokens, sliding_layer_share)
    return where(step == "decode", decode, seq_len)


@column
def step_logit_tokens(logit_tokens_per_step: UExpr) -> UExpr:
    return logit_tokens_per_step


@column
def forward_flop(
    is_transformer: Plain, forward_flop_per_sample: UExpr, batch: UExpr, n_layers: UExpr,
    step_qkv_proj_flop: UExpr, step_attention_flop: UExpr, step_o_proj_flop: UExpr, step_mlp_flop: UExpr,
    step_norms_flop: UExpr, step_lm_head_flop: UExpr,
) -> UExpr:
    """One forward pass. Transformers: the layer operators x layers + the LM head (the same
    expressions as the serving study); CNN: the catalog's per-sample FLOPs (2 x MACs) x batch."""
    layers = [step_qkv_proj_flop, step_attention_flop, step_o_proj_flop, step_mlp_flop, step_norms_flop]
    return where(is_transformer, per_pass(n_layers, layers, step_lm_head_flop),
                 forward_flop_per_sample * batch)


@column
def step_flop(forward_flop: UExpr, step_multiplier: UExpr) -> UExpr:
    return forward_flop * step_multiplier


@column
def achievable_flop_per_s(peak_flop_per_s: UExpr, eta_compute: UExpr) -> UExpr:
    """Peak at the precision x eta_compute (the seed's efficiency)."""
    return peak_flop_per_s * eta_compute


@column
def compute_time_s(step_flop: UExpr, achievable_flop_per_s: UExpr, gemm_units: UExpr, is_transformer: Plain,
                   n_layers: UExpr, step_multiplier: UExpr, peak_flop_per_s: UExpr, eta_compute: UExpr,
                   step_qkv_proj_flop: UExpr, step_qkv_proj_eta_compute: UExpr, step_o_proj_flop: UExpr,
                   step_o_proj_eta_compute: UExpr, step_mlp_flop: UExpr, step_mlp_eta_compute: UExpr,
                   step_attention_flop: UExpr, step_attention_eta_compute: UExpr, step_norms_flop: UExpr,
                   step_lm_head_flop: UExpr, step_lm_head_eta_compute: UExpr, conv_compute_time_s: UExpr) -> UExpr:
    """Wall 1: T = FLOPs / (peak(precision) x eta). With a GEMM kernel fit (issue 12) a
    transformer's matmuls each take their own shape's eta (operator_shapes.operator_gemms), attention
    the fused-attention model's where it has one (operator_shapes.operator_attention); norms keep
    eta_compute; a training step's backward GEMMs run at the forward's eta. A CNN's inference step: its convs one
    by one where priced (``at_one_eta_time_s``)."""
    def at(flop, eta):
        return flop / (peak_flop_per_s * eta)

    layers = [at(step_qkv_proj_flop, step_qkv_proj_eta_compute), at(step_o_proj_flop, step_o_proj_eta_compute),
              at(step_mlp_flop, step_mlp_eta_compute), at(step_attention_flop, step_attention_eta_compute),
              at(step_norms_flop, eta_compute)]
    per_op = step_multiplier * per_pass(n_layers, layers, at(step_lm_head_flop, step_lm_head_eta_compute))
    return where(gemm_units.is_not_null() & is_transformer, per_op.to("s"),
                 at_one_eta_time_s(step_flop, achievable_flop_per_s, conv_compute_time_s))


def at_one_eta_time_s(step_flop: UExpr, achievable_flop_per_s: UExpr, conv_compute_time_s: UExpr) -> UExpr:
    """``compute_time_s`` of a row without a kernel fit (or of a CNN): the step's FLOPs at one η, T = FLOPs /
    (peak x eta); a CNN's inference step whose convs are priced on a GEMM model (``conv_compute_time_s``, from
    ``pipeline.walls.graph_convs``: the conv_layers catalog's shapes at the row's batch) takes their sum. The node
    study plans its rows without a fit by it alone (``node.UNFITTED``; the part's default GEMM form prices convs)."""
    return where(conv_compute_time_s.is_not_null(), conv_compute_time_s, (step_flop / achievable_flop_per_s).to("s"))


@column
def ridge_point_flop_per_byte(peak_flop_per_s: UExpr, memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Roofline ridge I* = peak / bandwidth (Williams et al. 2009)."""
    return peak_flop_per_s / memory_bandwidth_bytes_per_s


@column
def ridge_point_at_eta_flop_per_byte(achievable_flop_per_s: UExpr,
                                     memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Ridge of the derated roof: intensity above which the step is compute-bound here."""
    return achievable_flop_per_s / memory_bandwidth_bytes_per_s


@column
def arithmetic_intensity_flop_per_byte(step_flop: UExpr, bytes_moved: UExpr) -> UExpr:
    return step_flop / bytes_moved


@column
def attainable_flop_per_s(achievable_flop_per_s: UExpr, arithmetic_intensity_flop_per_byte: UExpr,
                          memory_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Roofline: min(peak x eta, intensity x bandwidth)."""
    return minimum(achievable_flop_per_s,
                   arithmetic_intensity_flop_per_byte * memory_bandwidth_bytes_per_s)
