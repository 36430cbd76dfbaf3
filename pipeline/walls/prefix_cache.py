"""Prefix caching in serving (issue 16 item 4): a request whose prompt starts with tokens already in
the KV cache (a shared system prompt, earlier turns of a conversation, a common document) reuses
their K/V and prefills only the rest. vLLM's automatic prefix caching "caches the KV cache of
existing queries, so that a new query can directly reuse the KV cache if it shares the same prefix
with one of the existing queries, allowing the new query to skip the computation of the shared
part" (https://docs.vllm.ai/en/latest/features/automatic_prefix_caching/; design:
https://docs.vllm.ai/en/latest/design/prefix_caching/); SGLang's RadixAttention keeps the cached
prefixes in a radix tree and prefills the uncached suffix (Zheng et al. 2024, "SGLang: Efficient
Execution of Structured Language Model Programs", NeurIPS, arXiv 2312.07104, §3).

With a share h of each prompt's P tokens cached (``prefix_hit_rate``, h in [0, 1)):
- the layer GEMMs, norms and K/V writes of prefill run over the (1 - h) P new tokens only;
- the new tokens' queries still attend over the whole prompt: the causal pairs are those of the
  P-token prompt less those of its cached h P-token prefix (query i attends min(i, W) keys, so the
  pairs of the queries hP+1..P are pairs(P) - pairs(hP), the sliding-window form of
  ``attention_pattern.causal_pairs``), and attention reads the whole prompt's K/V once;
- the LM head samples one token per sequence, as without caching;
- the cached prefix's K/V stays resident, so the KV cache is unchanged (first order: sharing one
  prefix's blocks between running sequences, which would lower it, is not modelled);
- TTFT, one request's prefill under load (wall 7) and a burst's prefill tokens follow from the
  uncached tokens.
First order: h is a share of tokens, not rounded to vLLM's whole cached blocks (16 tokens by
default); vLLM recomputes at least the last prompt token, which h < 1 keeps.
"""

from __future__ import annotations

from pipeline.units import UExpr
from pipeline.walls.registries import serving_column


@serving_column
def prefill_cached_tokens(prompt_len: UExpr, prefix_hit_rate: UExpr) -> UExpr:
    """Prompt tokens per sequence whose K/V the prefix cache already holds: h x P."""
    return prefix_hit_rate * prompt_len


@serving_column
def prefill_new_tokens(prompt_len: UExpr, prefill_cached_tokens: UExpr) -> UExpr:
    """Prompt tokens per sequence that prefill computes: (1 - h) x P (vLLM APC docs; SGLang §3)."""
    return prompt_len - prefill_cached_tokens
