"""Walls 4 and 5 (serving, batching) with communication (wall 14's TP/PP part) and
weight streaming (wall 6): LLM serving on tp x pp devices of one scale-up domain.

The operators' FLOPs and bytes come from ``pipeline.walls.operators`` (shared with the
node study). Here each operator gets a time on this hardware, max(FLOPs / (peak ·
eta_compute), bytes / (bandwidth · eta_memory)), and its bound; a pass adds the layer
operators over all L layers, the LM head, the communication and the launches. Prefill
(the whole prompt) and decode (one token per sequence at the mean context of the
generation) are the same factory at different token counts.

Tensor parallelism costs two ring all-reduces per layer (Megatron-LM, Shoeybi et al.
2019, §3); pipeline parallelism gives each of ``pp`` stages ceil(L/pp) layers and sends
activations across each stage boundary. Decode keeps ``pp`` microbatches of
ceil(batch/pp) sequences in flight, so a token of one sequence crosses all L layers per round.
"""

from __future__ import annotations

from functools import partial

import polars as pl

from pipeline import formulas
from pipeline.units import UExpr, lit, maximum, unit, where
from pipeline.walls.collectives import ring_all_reduce_s
from pipeline.walls.operators import ELEM_PER_TOKEN, OPERATORS, TOKEN, ceil
from pipeline.walls.software import _if_feasible

PHASES = ("prefill", "decode")

# The serving study's own formulas: plan with ``formulas.REGISTRY | SERVING``. Where a name
# is shared with the node study (is_feasible, bound, kv_cache_bytes, ...) this one wins here.
SERVING: dict[str, formulas.Formula] = {}
column = formulas.column(registry=SERVING)
define = partial(formulas.define, registry=SERVING)


@column
def weights_per_device_bytes(layers_per_stage: UExpr, qkv_params_per_device: UExpr, o_params_per_device: UExpr,
                             dense_layer_share: UExpr, dense_mlp_params_per_layer: UExpr, n_experts: UExpr,
                             n_shared_experts: UExpr, expert_params_each: UExpr, router_params_per_layer: UExpr,
                             norm_params_per_layer: UExpr, embedding_params: UExpr, lm_head_params: UExpr,
                             final_norm_params: UExpr, is_tied_embeddings: pl.Expr, tp: UExpr, pp: UExpr,
                             weight_bytes_per_param: UExpr, weight_density: UExpr) -> UExpr:
    """Resident weights of the fullest device: its stage's layers (all experts; pruned matrices x
    their density) and, with one stage, embedding, LM head and final norm, else the larger end."""
    experts = (n_experts.fill_null(0.0) + n_shared_experts.fill_null(0.0)) * expert_params_each
    moe = experts + router_params_per_layer
    mlp = dense_layer_share * dense_mlp_params_per_layer + (1.0 - dense_layer_share) * moe
    layer = qkv_params_per_device + o_params_per_device + mlp / tp * weight_density + norm_params_per_layer
    head = where(is_tied_embeddings, 0.0, lm_head_params)  # sharded over tp; the final norm is replicated
    ends = where(pp.expr > 1, maximum(embedding_params, head + final_norm_params * tp),
                 embedding_params + head + final_norm_params * tp) / tp
    return (layers_per_stage * layer + ends) * weight_bytes_per_param


# -- phase inputs ----------------------------------------------------------------------------

@column
def generated_tokens(output_len: UExpr, reasoning_tokens: UExpr) -> UExpr:
    """Wall 12: a reasoning request decodes its K thinking tokens before the answer."""
    return output_len + reasoning_tokens


@column
def decode_context_tokens(prompt_len: UExpr, generated_tokens: UExpr) -> UExpr:
    """Mean context over the generation: decode reads prompt + generated/2 cached tokens on average."""
    return prompt_len + generated_tokens / 2.0


@column
def prefill_sequences(batch: UExpr) -> UExpr:
    return batch


@column
def decode_sequences(batch: UExpr, pp: UExpr) -> UExpr:
    """Sequences per decode microbatch: ceil(batch / pp) (pp microbatches fill the pipeline)."""
    return ceil(batch / pp)


@column
def prefill_tokens(batch: UExpr, prompt_len: UExpr) -> UExpr:
    return batch * prompt_len


@column
def decode_tokens(decode_sequences: UExpr) -> UExpr:
    return decode_sequences * TOKEN


@column
def prefill_logit_tokens(prefill_sequences: UExpr) -> UExpr:
    """Serving samples the next token of each sequence: one LM-head position per sequence."""
    return prefill_sequences * TOKEN


@column
def decode_logit_tokens(decode_sequences: UExpr) -> UExpr:
    return decode_sequences * TOKEN


@column
def prefill_kv_read_tokens(prompt_len: UExpr) -> UExpr:
    """Flash attention reads the prompt's K and V once per sequence (first order)."""
    return prompt_len


@column
def decode_kv_read_tokens(decode_context_tokens: UExpr) -> UExpr:
    return decode_context_tokens


@column
def prefill_attention_pairs(prompt_len: UExpr) -> UExpr:
    """Causal (query, key) pairs per sequence and layer: S^2 / 2 (Kaplan et al. 2020)."""
    s = prompt_len / TOKEN
    return 0.5 * s * s


@column
def decode_attention_pairs(decode_context_tokens: UExpr) -> UExpr:
    return decode_context_tokens / TOKEN


# -- operators, one factory for both phases --------------------------------------------------

def _operator_times(p: str) -> None:
    """Register, for phase ``p``, each operator's time and bound on this hardware, the class
    totals of a pass, its communication and the pass time (FLOPs and bytes: ``operators``)."""
    tokens = f"{p}_tokens"

    def op_time(flop, nbytes, peak, eta_c, bw, eta_m):
        return maximum((flop / (peak * eta_c)).to("s"), (nbytes / (bw * eta_m)).to("s"))

    def op_compute_bound(flop, nbytes, peak, eta_c, bw, eta_m):
        return (flop / (peak * eta_c)).to("s") >= (nbytes / (bw * eta_m)).to("s")

    def op_bound(is_compute_bound):  # text for the breakdown; the sweep keeps booleans
        return pl.when(is_compute_bound).then(pl.lit("compute")).otherwise(pl.lit("memory")).cast(pl.Categorical)

    roof = ["peak_flop_per_s", "eta_compute", "memory_bandwidth_bytes_per_s", "eta_memory"]
    for op in (*OPERATORS, "lm_head"):
        define(f"{p}_{op}_time_s", [f"{p}_{op}_flop", f"{p}_{op}_bytes", *roof], op_time)
        define(f"{p}_{op}_is_compute_bound", [f"{p}_{op}_flop", f"{p}_{op}_bytes", *roof], op_compute_bound)
        define(f"{p}_{op}_bound", [f"{p}_{op}_is_compute_bound"], op_bound)

    # Class totals for one pass of a token through all L layers (the sweep keeps these).
    def attention_total(n_layers, qkv, attn, o):
        return n_layers * (qkv + attn + o)

    def per_layers(n_layers, t):
        return n_layers * t

    def other_total(n_layers, norms, head):
        return n_layers * norms + head

    define(f"{p}_attention_class_time_s", ["n_layers", f"{p}_qkv_proj_time_s", f"{p}_attention_time_s",
                                           f"{p}_o_proj_time_s"], attention_total)
    define(f"{p}_mlp_class_time_s", ["n_layers", f"{p}_mlp_time_s"], per_layers)
    define(f"{p}_other_class_time_s", ["n_layers", f"{p}_norms_time_s", f"{p}_lm_head_time_s"], other_total)

    # TP: two ring all-reduces of the step's hidden states per layer (Megatron-LM).
    def tp_comm(n_layers, tp, t, d, abytes, alpha, beta, eta_l):
        message = t * d * ELEM_PER_TOKEN * abytes
        return where(tp.expr > 1, 2.0 * n_layers * ring_all_reduce_s(tp, message, alpha, beta * eta_l), 0)

    def pp_comm(pp, t, d, abytes, alpha, beta, eta_l):
        message = t * d * ELEM_PER_TOKEN * abytes
        hop = alpha + (message / (beta * eta_l)).to("s")
        return where(pp.expr > 1, (pp - 1.0) * hop, 0)

    link = ["bytes_per_element", "scaleup_link_latency_s", "scaleup_link_bandwidth_bytes_per_s", "eta_link"]
    define(f"{p}_tp_comm_time_s", ["n_layers", "tp", tokens, "d_model", *link], tp_comm)
    define(f"{p}_pp_comm_time_s", ["pp", tokens, "d_model", *link], pp_comm)

    def comm_total(tp_t, pp_t):
        return tp_t.fill_null(0) + pp_t.fill_null(0)

    define(f"{p}_communication_time_s", [f"{p}_tp_comm_time_s", f"{p}_pp_comm_time_s"], comm_total)

    def dequant(fraction, is_quantized, n_layers, qkv, o, mlp, head):
        matmuls = n_layers * (qkv + o + mlp) + head
        return where(is_quantized, fraction * matmuls, 0)

    define(f"{p}_dequant_overhead_s", ["dequant_overhead_fraction", "is_weight_quantized", "n_layers",
                                       f"{p}_qkv_proj_time_s", f"{p}_o_proj_time_s", f"{p}_mlp_time_s",
                                       f"{p}_lm_head_time_s"], dequant)

    def pass_time(attn, mlp, other, comm, launch, dq, stream):
        compute_and_memory = attn + mlp + other + dq
        return maximum(compute_and_memory, stream) + comm + launch

    define(f"{p}_pass_time_s", [f"{p}_attention_class_time_s", f"{p}_mlp_class_time_s", f"{p}_other_class_time_s",
                                f"{p}_communication_time_s", "launch_overhead_s", f"{p}_dequant_overhead_s",
                                "weight_stream_time_s"], pass_time)

    def compute_bound_time(n_layers, *args):
        return _by_bound(n_layers, "compute", args)

    def memory_bound_time(n_layers, *args):
        return _by_bound(n_layers, "memory", args)

    parts = [c for op in OPERATORS for c in (f"{p}_{op}_time_s", f"{p}_{op}_is_compute_bound")]
    head = [f"{p}_lm_head_time_s", f"{p}_lm_head_is_compute_bound"]
    define(f"{p}_compute_bound_time_s", ["n_layers", *parts, *head], compute_bound_time)
    define(f"{p}_memory_bound_time_s", ["n_layers", *parts, *head], memory_bound_time)

    def binding(feasible, streaming, compute, memory, comm, launch, stream):
        c, m, k = compute.expr, memory.to("s").expr, comm.to("s").expr
        o, s = launch.to("s").expr, stream.to("s").expr
        return (pl.when(~feasible).then(pl.lit("memory capacity"))
                .when(streaming & (s >= c + m)).then(pl.lit("host link"))
                .when((c >= m) & (c >= k) & (c >= o)).then(pl.lit("compute"))
                .when((m >= k) & (m >= o)).then(pl.lit("memory bandwidth"))
                .when(k >= o).then(pl.lit("communication"))
                .otherwise(pl.lit("overhead"))).cast(pl.Categorical)

    define(f"{p}_bound", ["is_feasible", "weight_streaming", f"{p}_compute_bound_time_s",
                          f"{p}_memory_bound_time_s", f"{p}_communication_time_s", "launch_overhead_s",
                          "weight_stream_time_s"], binding)


def _by_bound(n_layers: UExpr, kind: str, args: tuple) -> UExpr:
    """Sum of the operator times whose own bound is ``kind`` (layer operators x L, LM head once)."""
    total = None
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    for i, (t, is_compute) in enumerate(pairs):
        chosen = is_compute if kind == "compute" else ~is_compute
        part = UExpr(pl.when(chosen).then(t.expr).otherwise(0.0), t.unit)
        part = part if i == len(pairs) - 1 else n_layers * part
        total = part if total is None else total + part
    return total


for _phase in PHASES:
    _operator_times(_phase)


# -- memory, feasibility and the request's latencies ------------------------------------------

@column
def is_weight_quantized(weight_bytes_per_element: UExpr, bytes_per_element: UExpr) -> pl.Expr:
    """Weights stored narrower than the compute dtype are dequantized on the fly."""
    return weight_bytes_per_element < bytes_per_element


@column
def context_tokens(prompt_len: UExpr, generated_tokens: UExpr) -> UExpr:
    return prompt_len + generated_tokens


@column
def kv_cache_bytes_per_device(kv_bytes_per_token_per_device: UExpr, context_tokens: UExpr, batch: UExpr) -> UExpr:
    """The device's share of the cache for the whole batch at prompt + output length."""
    return kv_bytes_per_token_per_device * context_tokens * batch


@column
def kv_cache_bytes(kv_elements_per_token_per_layer_per_device: UExpr, n_layers: UExpr, tp: UExpr,
                   context_tokens: UExpr, batch: UExpr, kv_bytes_per_element: UExpr) -> UExpr:
    """2 x L x H_kv x d_head x tokens x batch x bytes (exact), summed over devices: KV heads
    replicated by tp > H_kv (and MLA latents, which every TP rank keeps) count once per copy."""
    return kv_elements_per_token_per_layer_per_device * n_layers * tp * context_tokens * batch * kv_bytes_per_element


@column
def activation_bytes_per_device(prefill_tokens: UExpr, prefill_chunk_tokens: UExpr, d_model: UExpr,
                                mlp_width_per_device: UExpr, bytes_per_element: UExpr) -> UExpr:
    """Prefill working set of one layer (hidden states in and out plus the MLP intermediate)
    for at most ``prefill_chunk_tokens`` at a time: servers prefill long batches in chunks
    (vLLM's max_num_batched_tokens), so activation memory does not grow with the batch."""
    chunk = UExpr(pl.min_horizontal(prefill_tokens.expr, prefill_chunk_tokens.to(prefill_tokens.unit).expr),
                  prefill_tokens.unit)
    return chunk * (2.0 * d_model * ELEM_PER_TOKEN + mlp_width_per_device) * bytes_per_element


@column
def memory_reserve_bytes(memory_reserve_fraction: UExpr, memory_capacity_bytes: UExpr) -> UExpr:
    """Held back for fragmentation, CUDA context and workspaces (vLLM's default
    gpu_memory_utilization = 0.9 leaves 10 %)."""
    return memory_reserve_fraction * memory_capacity_bytes


@column
def memory_per_device_bytes(weights_per_device_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                            activation_bytes_per_device: UExpr, memory_reserve_bytes: UExpr) -> UExpr:
    return weights_per_device_bytes + kv_cache_bytes_per_device + activation_bytes_per_device + memory_reserve_bytes


@column
def memory_headroom_bytes(memory_capacity_bytes: UExpr, memory_per_device_bytes: UExpr) -> UExpr:
    return memory_capacity_bytes - memory_per_device_bytes


@column
def fits_in_hbm(memory_headroom_bytes: UExpr) -> pl.Expr:
    return memory_headroom_bytes >= lit(0.0, "B")


@column
def weight_streaming(fits_in_hbm: pl.Expr, allow_weight_streaming: pl.Expr, memory_headroom_bytes: UExpr,
                     weights_per_device_bytes: UExpr, host_link_bandwidth_bytes_per_s: UExpr) -> pl.Expr:
    """Wall 6: weights that do not fit stream from host memory, if the spec allows it, the rest
    (KV cache, activations, reserve) fits, and the host link is published."""
    rest_fits = (memory_headroom_bytes + weights_per_device_bytes) >= lit(0.0, "B")
    return ~fits_in_hbm & allow_weight_streaming & rest_fits & host_link_bandwidth_bytes_per_s.expr.is_not_null()


@column
def weight_stream_time_s(weight_streaming: pl.Expr, weights_per_device_bytes: UExpr,
                         host_link_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Streamed weights cross the host link once per pass: bytes / host bandwidth."""
    return where(weight_streaming, (weights_per_device_bytes / host_link_bandwidth_bytes_per_s).to("s"), 0)


@column
def is_feasible(fits_in_hbm: pl.Expr, weight_streaming: pl.Expr) -> pl.Expr:
    return fits_in_hbm | weight_streaming


@column
def infeasible_reason(is_feasible: pl.Expr) -> pl.Expr:
    return (pl.when(is_feasible).then(pl.lit(None, pl.String))
            .otherwise(pl.lit("memory capacity: weights + KV cache + activations + reserve exceed device memory"))
            ).cast(pl.Categorical)


@column
def ttft_s(is_feasible: pl.Expr, prefill_pass_time_s: UExpr) -> UExpr:
    """Wall 4: time to first token = prefill of the batch's prompts + TP/PP communication + launches."""
    return _if_feasible(is_feasible, prefill_pass_time_s)


@column
def itl_s(is_feasible: pl.Expr, decode_pass_time_s: UExpr) -> UExpr:
    """Inter-token latency: one decode round at the mean context, with its compute term."""
    return _if_feasible(is_feasible, decode_pass_time_s)


@column
def e2e_latency_s(ttft_s: UExpr, itl_s: UExpr, generated_tokens: UExpr) -> UExpr:
    """First token, then every other generated token (thinking tokens included) one ITL apart."""
    return ttft_s + (generated_tokens / TOKEN - 1.0) * itl_s


@column
def tokens_per_s(batch: UExpr, itl_s: UExpr) -> UExpr:
    """Generated tokens per second of the whole tp x pp system in steady decode."""
    return (batch * TOKEN / itl_s).to("tok/s")


@column
def tokens_per_s_per_device(tokens_per_s: UExpr, tp: UExpr, pp: UExpr) -> UExpr:
    return tokens_per_s / (tp * pp)


@column
def batch_tokens_per_s(batch: UExpr, generated_tokens: UExpr, e2e_latency_s: UExpr) -> UExpr:
    """Throughput of the whole batch end to end, prefill included: batch x generated / e2e latency
    (what an offline benchmark that times whole requests reports)."""
    return (batch * generated_tokens / e2e_latency_s).to("tok/s")


@column
def bound(decode_bound: pl.Expr) -> pl.Expr:
    """Binding constraint of a decode round: compute, memory bandwidth, communication, overhead,
    host link (streaming) or memory capacity."""
    return decode_bound


@column
def ttft_bound(prefill_bound: pl.Expr) -> pl.Expr:
    return prefill_bound


def _free_for_kv(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr) -> UExpr:
    return memory_headroom_bytes + kv_cache_bytes_per_device


@column
def max_batch_static(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                     kv_bytes_per_token_per_device: UExpr, max_context_tokens: UExpr) -> UExpr:
    """Wall 5: sequences that fit when each reserves the model's whole context up front."""
    per_sequence = kv_bytes_per_token_per_device * max_context_tokens
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / per_sequence
    return UExpr(n.expr.floor().clip(lower_bound=0.0), n.unit)


@column
def max_batch_paged(memory_headroom_bytes: UExpr, kv_cache_bytes_per_device: UExpr,
                    kv_bytes_per_token_per_device: UExpr, context_tokens: UExpr, kv_block_tokens: UExpr) -> UExpr:
    """Sequences that fit with a paged cache: each holds ceil(context / block) blocks
    (PagedAttention, Kwon et al. 2023)."""
    blocks = ceil(context_tokens / kv_block_tokens)
    per_sequence = kv_bytes_per_token_per_device * blocks * kv_block_tokens
    n = _free_for_kv(memory_headroom_bytes, kv_cache_bytes_per_device) / per_sequence
    return UExpr(n.expr.floor().clip(lower_bound=0.0), n.unit)


# -- operations (walls 16-18): the rates of pipeline.walls.operations per million tokens ------

@column
def ops_devices(tp: UExpr, pp: UExpr, replicas: UExpr) -> UExpr:
    return tp * pp * replicas


@column
def power_utilization(decode_compute_bound_time_s: UExpr, decode_memory_bound_time_s: UExpr,
                      decode_pass_time_s: UExpr) -> UExpr:
    """Decode dominates a request's time: the share of a decode pass its operators run at the
    roof (compute- or memory-bound), the rest being communication and launches."""
    return ((decode_compute_bound_time_s + decode_memory_bound_time_s) / decode_pass_time_s).to("")


@column
def ops_service_time_s(e2e_latency_s: UExpr) -> UExpr:
    return e2e_latency_s


@column
def energy_per_million_tokens_kwh(facility_power_w: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    """Facility energy per million generated tokens (every replica generates tokens_per_s)."""
    return (facility_power_w / (tokens_per_s * replicas)).to("kWh/Mtok")


@column
def co2e_per_million_tokens_g(co2e_g_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (co2e_g_per_h / (tokens_per_s * replicas)).to("gCO2e/Mtok")


@column
def water_per_million_tokens_l(water_l_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (water_l_per_h / (tokens_per_s * replicas)).to("L/Mtok")


def _cost_per_output(cost_usd_per_h: UExpr, tokens_per_s: UExpr, replicas: UExpr) -> UExpr:
    return (cost_usd_per_h / (tokens_per_s * replicas)).to("USD/Mtok")


def _cost_per_prompt(cost_usd_per_h: UExpr, ttft_s: UExpr, replicas: UExpr, batch: UExpr,
                     prompt_len: UExpr) -> UExpr:
    """The deployment's cost over the prefill of one batch, per prompt token it reads."""
    return (cost_usd_per_h / replicas * ttft_s / (batch * prompt_len)).to("USD/Mtok")


for _kind in ("cloud", "owned"):
    define(f"{_kind}_cost_per_million_output_tokens_usd", [f"{_kind}_cost_usd_per_h", "tokens_per_s", "replicas"],
           _cost_per_output)
    define(f"{_kind}_cost_per_million_prompt_tokens_usd", [f"{_kind}_cost_usd_per_h", "ttft_s", "replicas", "batch",
                                                           "prompt_len"], _cost_per_prompt)


def _per_request(rate: UExpr, replicas: UExpr, e2e_latency_s: UExpr, batch: UExpr, target: str) -> UExpr:
    """One replica's rate over a request's end-to-end time, shared by the batch's sequences."""
    return (rate / replicas * e2e_latency_s / batch).to(target)


define("facility_energy_per_request_wh", ["facility_power_w", "replicas", "e2e_latency_s", "batch"],
       partial(_per_request, target="Wh"))
define("cloud_cost_per_request_usd", ["cloud_cost_usd_per_h", "replicas", "e2e_latency_s", "batch"],
       partial(_per_request, target="USD"))


# -- wall 21 (sensitivity) of the inter-token latency -------------------------------------------
# ITL = max(operators + dequantization, weight streaming) + communication + launches. Each operator
# time is FLOPs / (peak x eta) or bytes / (bandwidth x eta_memory), whichever binds, so d log ITL /
# d log peak is -(compute-bound operator time)/ITL, and likewise for bandwidth; the ring's alpha
# and beta terms give the link's (exact away from regime changes).

def _matmul_share(kind: str, fraction, quantized, n_layers, *args) -> UExpr:
    """The dequantization overhead's part that scales like the ``kind``-bound matmul operators."""
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    total = None
    for k, (t, is_compute) in enumerate(pairs):
        chosen = is_compute if kind == "compute" else ~is_compute
        part = UExpr(pl.when(chosen).then(t.expr).otherwise(0.0), t.unit)
        part = part if k == len(pairs) - 1 else n_layers * part  # the LM head runs once
        total = part if total is None else total + part
    return where(quantized, fraction * total, 0)


_MATMULS = [c for op in ("qkv_proj", "o_proj", "mlp", "lm_head")
            for c in (f"decode_{op}_time_s", f"decode_{op}_is_compute_bound")]
define("decode_dequant_compute_bound_time_s", ["dequant_overhead_fraction", "is_weight_quantized", "n_layers",
                                               *_MATMULS], partial(_matmul_share, "compute"))
define("decode_dequant_memory_bound_time_s", ["dequant_overhead_fraction", "is_weight_quantized", "n_layers",
                                              *_MATMULS], partial(_matmul_share, "memory"))


@column
def decode_link_latency_time_s(n_layers: UExpr, tp: UExpr, pp: UExpr, scaleup_link_latency_s: UExpr) -> UExpr:
    """The alpha part of a decode pass's communication: 2 ring all-reduces per layer, 2(tp-1) steps
    each, and one hop per pipeline boundary."""
    tp_steps = where(tp.expr > 1, 4.0 * n_layers * (tp - 1.0), 0.0)
    pp_steps = where(pp.expr > 1, pp - 1.0, 0.0)
    return (tp_steps + pp_steps) * scaleup_link_latency_s.fill_null(0)


def _itl_share(is_feasible, streaming_binds, time, itl, sign: float) -> UExpr:
    share = pl.when(streaming_binds).then(0.0).otherwise(sign * time.to("s").expr / itl.to("s").expr)
    return UExpr(pl.when(is_feasible).then(share), unit(""))


@column
def streaming_binds(weight_streaming: pl.Expr, weight_stream_time_s: UExpr, decode_attention_class_time_s: UExpr,
                    decode_mlp_class_time_s: UExpr, decode_other_class_time_s: UExpr,
                    decode_dequant_overhead_s: UExpr) -> pl.Expr:
    operators = decode_attention_class_time_s + decode_mlp_class_time_s + decode_other_class_time_s \
        + decode_dequant_overhead_s
    return weight_streaming & (weight_stream_time_s.expr > operators.to("s").expr)


@column
def elasticity_peak_flop_per_s(is_feasible: pl.Expr, streaming_binds: pl.Expr, decode_compute_bound_time_s: UExpr,
                               decode_dequant_compute_bound_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log peak FLOP/s (and eta_compute)."""
    return _itl_share(is_feasible, streaming_binds,
                      decode_compute_bound_time_s + decode_dequant_compute_bound_time_s, itl_s, -1.0)


@column
def elasticity_memory_bandwidth(is_feasible: pl.Expr, streaming_binds: pl.Expr, decode_memory_bound_time_s: UExpr,
                                decode_dequant_memory_bound_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log memory bandwidth (and eta_memory)."""
    return _itl_share(is_feasible, streaming_binds,
                      decode_memory_bound_time_s + decode_dequant_memory_bound_time_s, itl_s, -1.0)


@column
def elasticity_link_bandwidth(is_feasible: pl.Expr, decode_communication_time_s: UExpr,
                              decode_link_latency_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link bandwidth (the beta part of the collectives)."""
    beta_part = decode_communication_time_s - decode_link_latency_time_s
    return UExpr(pl.when(is_feasible).then(-(beta_part.to("s").expr / itl_s.to("s").expr)), unit(""))


@column
def elasticity_link_latency(is_feasible: pl.Expr, decode_link_latency_time_s: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log scale-up link latency (the alpha part)."""
    return UExpr(pl.when(is_feasible).then(decode_link_latency_time_s.to("s").expr / itl_s.to("s").expr), unit(""))


@column
def elasticity_launch_overhead(is_feasible: pl.Expr, launch_overhead_s: UExpr, itl_s: UExpr) -> UExpr:
    return UExpr(pl.when(is_feasible).then(launch_overhead_s.to("s").expr / itl_s.to("s").expr), unit(""))


@column
def binding_input(elasticity_peak_flop_per_s: UExpr, elasticity_memory_bandwidth: UExpr,
                  elasticity_link_bandwidth: UExpr, elasticity_link_latency: UExpr,
                  elasticity_launch_overhead: UExpr) -> pl.Expr:
    """The input whose 1 % change moves the ITL most."""
    names = ["peak_flop_per_s", "memory_bandwidth_bytes_per_s", "scaleup_link_bandwidth_bytes_per_s",
             "scaleup_link_latency_s", "launch_overhead_per_kernel_s"]
    values = [e.expr.abs().fill_null(0.0) for e in (elasticity_peak_flop_per_s, elasticity_memory_bandwidth,
                                                     elasticity_link_bandwidth, elasticity_link_latency,
                                                     elasticity_launch_overhead)]
    best = pl.max_horizontal(values)
    out = pl.when(elasticity_peak_flop_per_s.is_null()).then(None)
    for name, v in zip(names, values, strict=True):
        out = out.when(v == best).then(pl.lit(name))
    return out.cast(pl.Categorical)


@column
def compression_ratio(weight_bytes_per_element: UExpr, weight_density: UExpr, teacher_params_computed: UExpr,
                      params_computed: UExpr) -> UExpr:
    """Wall 13: the teacher's 16-bit dense weights over what is stored: quantization 2 B / bytes
    per weight, structured pruning 1 / (1 - s) (layer matrices; embeddings and norms are kept),
    distillation teacher params / student params."""
    return (lit(2.0, "B/elem") / weight_bytes_per_element / weight_density
            * teacher_params_computed / params_computed).to("")


# Workload inputs. For a dense model every decode operator's FLOPs and non-weight bytes grow in
# proportion to the sequences of a microbatch (KV read, activations, logits), its weights do not;
# the collectives' bytes grow with it too. Only attention depends on the context: its FLOPs and
# the K/V it reads grow with it.

def _batch_moving(n_layers, bandwidth, eta_memory, fraction, quantized, *args) -> UExpr:
    """d ITL / d log(sequences) of the operators and their dequantization."""
    bw = bandwidth * eta_memory
    layer, matmul, head = None, None, None
    ops = (*OPERATORS, "lm_head")
    for k, op in enumerate(ops):
        t, is_compute, moving_bytes = args[3 * k], args[3 * k + 1], args[3 * k + 2]
        part = UExpr(pl.when(is_compute).then(t.to("s").expr).otherwise((moving_bytes / bw).to("s").expr), unit("s"))
        if op == "lm_head":
            head = part
            continue
        layer = part if layer is None else layer + part
        if op in ("qkv_proj", "o_proj", "mlp"):
            matmul = part if matmul is None else matmul + part
    dequant = where(quantized, fraction * (n_layers * matmul + head), 0)
    return n_layers * layer + head + dequant


def _moving_bytes(*parts: UExpr) -> UExpr:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


for _op in (*OPERATORS, "lm_head"):
    define(f"decode_{_op}_batch_bytes", [f"decode_{_op}_activation_bytes"]
           + (["decode_attention_kv_bytes"] if _op == "attention" else []), _moving_bytes)

define("decode_batch_moving_time_s", ["n_layers", "memory_bandwidth_bytes_per_s", "eta_memory",
                                      "dequant_overhead_fraction", "is_weight_quantized",
                                      *[c for op in (*OPERATORS, "lm_head") for c in
                                        (f"decode_{op}_time_s", f"decode_{op}_is_compute_bound",
                                         f"decode_{op}_batch_bytes")]], _batch_moving)


@column
def elasticity_batch(is_feasible: pl.Expr, is_moe: pl.Expr, streaming_binds: pl.Expr,
                     decode_batch_moving_time_s: UExpr, decode_communication_time_s: UExpr,
                     decode_link_latency_time_s: UExpr, batch: UExpr, pp: UExpr, decode_sequences: UExpr,
                     itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log batch (the sequences of a microbatch, ceil(batch / pp), taken as
    batch / pp). Null for MoE (the experts a batch touches do not grow in proportion)."""
    moving = decode_batch_moving_time_s + decode_communication_time_s - decode_link_latency_time_s
    relax = batch / pp / decode_sequences
    e = (moving / itl_s).to("") * relax
    return UExpr(pl.when(is_feasible & ~is_moe & ~streaming_binds).then(e.expr), unit(""))


@column
def elasticity_prompt_len(is_feasible: pl.Expr, streaming_binds: pl.Expr, n_layers: UExpr,
                          decode_attention_time_s: UExpr, decode_attention_is_compute_bound: pl.Expr,
                          decode_attention_kv_bytes: UExpr, decode_context_tokens: UExpr, prompt_len: UExpr,
                          memory_bandwidth_bytes_per_s: UExpr, eta_memory: UExpr, itl_s: UExpr) -> UExpr:
    """Wall 21: d log ITL / d log prompt length, through the context attention reads: its FLOPs,
    or the K/V it reads (all but the step's own append: context / (context + 1 token))."""
    read = decode_attention_kv_bytes * decode_context_tokens / (decode_context_tokens + TOKEN)
    moving = UExpr(pl.when(decode_attention_is_compute_bound).then(decode_attention_time_s.to("s").expr)
                   .otherwise((read / (memory_bandwidth_bytes_per_s * eta_memory)).to("s").expr), unit("s"))
    e = (n_layers * moving / itl_s).to("") * prompt_len / decode_context_tokens
    return UExpr(pl.when(is_feasible & ~streaming_binds).then(e.expr), unit(""))
