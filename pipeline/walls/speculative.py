"""Speculative decoding in serving (issue 16 item 3): a cheap drafter proposes k tokens per
sequence, the target verifies them in one pass over k + 1 positions, and the accepted prefix
plus one token from the target is kept (Leviathan, Kalman and Matias 2023, "Fast Inference
from Transformers via Speculative Decoding", ICML; Chen et al. 2023, "Accelerating Large
Language Model Decoding with Speculative Sampling", arXiv 2302.01318).

One speculation step of the batch:
- the draft: k decode passes of the draft model (the same operators as the target's decode,
  ``pipeline.studies.serving_speculative`` evaluates them with the draft's architecture), or,
  for MTP/EAGLE-style heads (no draft model), k passes of one transformer layer of the target
  plus its LM head: EAGLE's drafter is "a single transformer decoder layer" reusing the target's
  embedding and LM head (Li et al. 2024, EAGLE, ICML, §4.1), and DeepSeek-V3's MTP module is one
  transformer block with the shared output head (DeepSeek-AI 2024, arXiv 2412.19437, §2.2);
- the verification: one decode pass of the target over k + 1 positions per sequence: the GEMMs
  see M = sequences x (k + 1) rows (so they turn compute-bound as the batch grows), the context's
  K/V is read once per sequence, each of the k + 1 queries attends to the context and to the
  positions before it, and every position goes through the LM head;
- the scheduler's per-iteration overhead once.
It yields E = (1 - a^(k+1)) / (1 - a) tokens per sequence (a: per-token acceptance rate), so
the time per output token is the step time / E. Acceptance rates come from the papers (the
``spec_acceptance`` axis); the costs from our operators.
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, only_where, total, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import serving_column
from pipeline.walls.serving import tokens_per_s


@serving_column
def spec_tokens_per_step(spec_draft_tokens: UExpr, spec_acceptance: UExpr) -> UExpr:
    """Expected tokens kept per sequence and verification step, E = (1 - a^(k+1)) / (1 - a)
    (Leviathan et al. 2023, eq. 1 / Theorem 3.8, i.i.d. acceptance a); a = 1: k + 1; k = 0: 1."""
    k1 = spec_draft_tokens + 1.0
    alpha = where(spec_acceptance < 1.0, spec_acceptance, 0.0)  # keeps the unused branch finite
    return where(spec_acceptance < 1.0, (1.0 - alpha.power(k1)) / (1.0 - alpha), k1)


@serving_column
def spec_verify_tokens(decode_sequences: UExpr, spec_draft_tokens: UExpr) -> UExpr:
    """Positions through the target's weights in a verification pass: sequences x (k + 1)."""
    return decode_sequences * (spec_draft_tokens + 1.0) * TOKEN


@serving_column
def spec_verify_attention_pairs(decode_context_tokens: UExpr, spec_draft_tokens: UExpr) -> UExpr:
    """Query-key pairs per sequence and layer: k + 1 queries over the context, each also seeing
    the draft positions before it, (k + 1) C + k (k + 1) / 2."""
    k = spec_draft_tokens
    return (k + 1.0) * (decode_context_tokens / TOKEN) + k * (k + 1.0) / 2.0


@serving_column
def spec_head_pass_s(decode_qkv_proj_time_s: UExpr, decode_attention_time_s: UExpr, decode_o_proj_time_s: UExpr,
                     decode_mlp_time_s: UExpr, decode_norms_time_s: UExpr, decode_lm_head_time_s: UExpr) -> UExpr:
    """One MTP/EAGLE draft token for the batch: one layer of the target's decode operators plus
    its LM head (EAGLE §4.1; DeepSeek-V3 §2.2). EAGLE's small fusion layer (2d x d) and the
    head's kernel launches are left out."""
    return total(decode_qkv_proj_time_s, decode_attention_time_s, decode_o_proj_time_s, decode_mlp_time_s,
                 decode_norms_time_s, decode_lm_head_time_s)


@serving_column
def spec_draft_time_s(spec_draft_tokens: UExpr, spec_draft_pass_s: UExpr, spec_head_pass_s: UExpr) -> UExpr:
    """k sequential draft passes: the draft model's decode pass (launches and TP communication
    included) where the row has a draft model, else the MTP/EAGLE head's."""
    per_token = where(spec_draft_pass_s.is_null(), spec_head_pass_s, spec_draft_pass_s)
    return spec_draft_tokens * per_token


@serving_column
def spec_draft_memory_bytes_per_device(spec_draft_tokens: UExpr, spec_draft_model_bytes_per_device: UExpr,
                                       weights_per_device_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                                       layers_per_stage: UExpr) -> UExpr:
    """Memory the drafter adds on a device: the draft model's weights and KV cache (the serving
    study's memory formulas with the draft's architecture, same layout, batch and lengths), or, for
    an MTP/EAGLE head, one layer's share of the target's weights and KV cache (its embedding and LM
    head are the target's, EAGLE §4.1, DeepSeek-V3 §2.2; the share counts 1/L of the target's
    pipeline ends too); 0 at k = 0."""
    head = (weights_per_device_bytes + kv_cache_bytes_per_device) / layers_per_stage
    drafter = where(spec_draft_model_bytes_per_device.is_null(), head, spec_draft_model_bytes_per_device)
    return where(spec_draft_tokens > 0, drafter, 0)


@serving_column
def spec_is_feasible(is_feasible: Plain, fits_in_hbm: Plain, memory_headroom_bytes: UExpr,
                     spec_draft_memory_bytes_per_device: UExpr) -> Plain:
    """The target's layout runs and, where it fits in device memory, its headroom also holds the
    drafter (streamed weights are left as wall 6 treats them)."""
    return is_feasible & (~fits_in_hbm | (memory_headroom_bytes >= spec_draft_memory_bytes_per_device))


@serving_column
def spec_step_time_s(spec_is_feasible: Plain, spec_verify_pass_s: UExpr, spec_draft_time_s: UExpr,
                     scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """One speculation step: the draft, the verification pass and the scheduler's overhead once
    (as ``itl_s`` counts it once per iteration); null where the drafter does not fit."""
    return only_where(spec_is_feasible,
                      spec_draft_time_s + spec_verify_pass_s + scheduler_overhead_per_iteration_s)


@serving_column
def spec_itl_s(spec_step_time_s: UExpr, spec_tokens_per_step: UExpr) -> UExpr:
    """Time per output token under speculation: step time / E (Leviathan et al. 2023, §3.4)."""
    return spec_step_time_s / spec_tokens_per_step


@serving_column
def spec_tokens_per_s(batch: UExpr, spec_itl_s: UExpr) -> UExpr:
    """Generated tokens per second of the tp x pp system under speculation: ``tokens_per_s`` at the
    speculative time per output token."""
    return tokens_per_s(batch, spec_itl_s)


@serving_column
def spec_speedup(itl_s: UExpr, spec_itl_s: UExpr) -> UExpr:
    """Time per output token without speculation / with it (> 1: speculation pays)."""
    return itl_s / spec_itl_s
