"""Architecture-pattern columns of the ``models`` catalog (issue 13 item 2): which layers attend
over a sliding window, which cache no K/V of their own, and which carry routed experts; and the
checkpoint column: which linear layers the published low-bit checkpoint quantizes.

Every column is nullable and null means "no pattern", the catalog's meaning before the columns
existed: every layer attends globally and caches its own K/V, and every layer but
``n_dense_layers`` is an MoE layer. A registry made without them still loads
(``pipeline.catalogs.added_columns``). The walls read them in ``pipeline.walls.attention_pattern``.
"""

from __future__ import annotations

from pipeline.catalogs.added_columns import CHECKPOINT_COLUMNS, PATTERN_COLUMNS
from pipeline.catalogs.fields import count, text

COLUMNS = (*PATTERN_COLUMNS, *CHECKPOINT_COLUMNS)  # what the studies carry from a model's row

SLIDING_WINDOW_TOKENS = count(
    "keys a sliding-window (local) attention layer attends to and keeps cached: the query's own and the "
    "window-1 before it (HF config sliding_window; Mistral 7B v0.1 4096, Gemma 2 4096, Gemma 3 1024, GPT-OSS 128); "
    "null: no sliding window", nullable=True, unit="tok")
SLIDING_WINDOW_LAYERS = count(
    "layers that attend over the sliding window, the rest global (HF layer_types or sliding_window_pattern: "
    "Gemma 2 and GPT-OSS every other layer, Gemma 3 5 of every 6); null with a window: every layer "
    "(Mistral 7B v0.1)", nullable=True, ge=0)
KV_SHARED_LAYERS = count(
    "layers that reuse an earlier layer's K/V and cache none (cross-layer KV sharing, HF num_kv_shared_layers); "
    "counted in the model's local:global proportion; null: none", nullable=True, ge=0)
MOE_LAYER_INTERVAL = count(
    "a routed-expert MLP on every k-th layer, the others dense (Llama 4 interleave_moe_layer_step: Maverick 2, "
    "Scout 1); then n_dense_layers = n_layers - floor(n_layers / k); null: every layer but n_dense_layers",
    nullable=True)

QUANTIZED_LAYERS = text(
    "the linear layers the published 4-bit checkpoint stores in 4 bits: 'experts', the routed experts' only, "
    "attention's projections, the router, the embedding and the LM head in BF16 (GPT-OSS: HF config.json "
    "quantization_config, mxfp4, modules_to_not_convert self_attn, mlp.router, embed_tokens, lm_head); null: "
    "the serving weight_dtype covers every decoder linear layer (pipeline.walls.mixed_precision)",
    nullable=True, isin=["experts"])

# efficiency_profiles: whether a framework applies the window to its KV cache (pipeline.walls.attention_pattern)
WINDOW_KV_CACHE = (
    "the framework keeps only the last window of K/V on a model's sliding-window layers and attends over it "
    "(vLLM's hybrid KV cache manager, SGLang's SWA pool); false: the whole context on every layer (TensorRT-LLM "
    "engines run without max_attention_window); null: not stated, true where no profile states it")
# efficiency_profiles: the models whose window the framework's attention kernel applies to the keys it reads and
# computes over, whatever its KV cache keeps (pipeline.walls.attention_pattern.window_read_share)
WINDOW_ATTENTION_MODELS = (
    "models (comma-separated catalog names) whose sliding window the framework's attention kernel applies to the "
    "keys it reads and computes over even where its KV cache keeps the whole context (TensorRT-LLM's PyTorch "
    "modeling_gpt_oss.py passes attention_window_size on the even layers; GPT-OSS has no engine-flow model); "
    "null: the reads follow window_kv_cache")
