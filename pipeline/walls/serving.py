"""Wall 4 (serving): LLM serving on tp x pp devices of one scale-up domain, and wall 12's
reasoning tokens. The phases of a request, each operator's time and bound on this hardware,
a pass's time, and the request's latencies and throughput.

The operators' FLOPs and bytes come from ``pipeline.walls.operators`` (shared with the
node study). Here each operator gets a time on this hardware, max(FLOPs / (peak ·
eta_compute), kernels · α + bytes / (bandwidth · eta_memory)), α the fixed time of one
memory-bound kernel under a kernel fit (0 otherwise), and its bound (the MLP: its GEMMs' roofline,
then its activation kernel's α–β after them, serial on the stream, not hidden under compute-bound
GEMMs); a pass adds the layer operators over all L layers, the LM head, the communication
(``pipeline.walls.communication``),
the dequantization (``pipeline.walls.fidelity``) and the launches. Prefill (the whole prompt)
and decode (one token per sequence at the mean context of the generation) are the same
factory at different token counts.

Pipeline parallelism gives each of ``pp`` stages ceil(L/pp) layers. Decode keeps ``pp``
microbatches of ceil(batch/pp) sequences in flight, so a token of one sequence crosses all
L layers per round; a batch's prefill runs as pp micro-batches of ceil(batch/pp) prompts through
the stages in turn (``ttft_s``: GPipe's fill, m + pp - 1 stage times).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, only_where, total, where
from pipeline.walls.attention_pattern import attended_tokens, causal_pairs
from pipeline.walls.bounds import binding
from pipeline.walls.kernel_calls import latency_roofline_compute_bound, latency_roofline_time_s, memory_kernels_time_s
from pipeline.walls.overlap import alltoall_hidden_s
from pipeline.walls.operators import GEMM_OPERATORS, OPERATOR_KERNELS, OPERATORS
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import define_serving, serving_column

PHASES = ("prefill", "decode")


# -- phase inputs ----------------------------------------------------------------------------

@serving_column
def generated_tokens(output_len: UExpr, reasoning_tokens: UExpr) -> UExpr:
    """Wall 12: a reasoning request decodes its K thinking tokens before the answer."""
    return output_len + reasoning_tokens


@serving_column
def decode_context_tokens(prompt_len: UExpr, generated_tokens: UExpr) -> UExpr:
    """Mean context over the generation: decode reads prompt + generated/2 cached tokens on average."""
    return prompt_len + generated_tokens / 2.0


@serving_column
def hidden_state_bytes_per_element(bytes_per_element: UExpr) -> UExpr:
    """The residual stream between layers (what the TP all-reduce and the PP send carry) stays in the
    model's 16-bit dtype under 8- and 4-bit compute: FP8 W8A8 quantizes the weights of the Linear
    modules and each Linear's input on the fly (vLLM, https://docs.vllm.ai/en/v0.5.4/quantization/fp8.html:
    "all Linear modules ... have their weights quantized down to FP8", activations get "a dynamic
    per-tensor scale" per forward pass), so at least 2 B per element (the training study's 16-bit
    ``activation_bytes_per_element``)."""
    return maximum(bytes_per_element, lit(2.0, "B/elem"))


@serving_column
def prefill_sequences(attention_group_sequences: UExpr) -> UExpr:
    """The sequences one device's attention group prefills: the batch, or its share of the
    attention data-parallel groups with expert parallelism (``pipeline.walls.expert_parallel``)."""
    return attention_group_sequences


@serving_column
def decode_sequences(batch: UExpr, pp: UExpr, attention_dp: UExpr) -> UExpr:
    """Sequences per decode microbatch of one attention group: ceil(batch / (pp x groups)) (pp
    microbatches fill the pipeline; one group without expert parallelism)."""
    return (batch / (pp * attention_dp)).ceil()


@serving_column
def prefill_tokens(prefill_sequences: UExpr, prefill_new_tokens: UExpr) -> UExpr:
    """Tokens through prefill's weights: the uncached prompt tokens of every sequence of the
    group (``pipeline.walls.prefix_cache``; the whole prompt without prefix caching)."""
    return prefill_sequences * prefill_new_tokens


@serving_column
def decode_tokens(decode_sequences: UExpr) -> UExpr:
    return decode_sequences * TOKEN


@serving_column
def prefill_logit_tokens(prefill_sequences: UExpr) -> UExpr:
    """Serving samples the next token of each sequence: one LM-head position per sequence."""
    return prefill_sequences * TOKEN


@serving_column
def decode_logit_tokens(decode_sequences: UExpr) -> UExpr:
    return decode_sequences * TOKEN


@serving_column
def prefill_kv_read_tokens(prompt_len: UExpr) -> UExpr:
    """Flash attention reads the prompt's K and V once per sequence (first order)."""
    return prompt_len


@serving_column
def decode_kv_read_tokens(decode_context_tokens: UExpr, sliding_window_tokens: UExpr,
                          window_read_share: UExpr) -> UExpr:
    """Layer-mean K/V a decode token reads: the context, the window on the layers whose kernel applies it."""
    return attended_tokens(decode_context_tokens, sliding_window_tokens, window_read_share)


@serving_column
def prefill_attention_pairs(prompt_len: UExpr, prefill_cached_tokens: UExpr, sliding_window_tokens: UExpr,
                            window_read_share: UExpr) -> UExpr:
    """Causal (query, key) pairs per sequence and layer: S^2 / 2 (Kaplan et al. 2020), the window's
    S·W - W²/2 on the layers whose kernel applies it (``attention_pattern.causal_pairs``); with a cached prefix
    of C tokens only the new queries attend, over the whole prompt: pairs(S) - pairs(C)
    (``pipeline.walls.prefix_cache``)."""
    return (causal_pairs(prompt_len, sliding_window_tokens, window_read_share)
            - causal_pairs(prefill_cached_tokens, sliding_window_tokens, window_read_share))


@serving_column
def decode_attention_pairs(decode_kv_read_tokens: UExpr) -> UExpr:
    return decode_kv_read_tokens / TOKEN


# -- launches: eager prefill, graph-replayed decode (issue 12 item 3) --------------------------

@serving_column
def prefill_launch_overhead_s(kernel_launches: UExpr, launch_overhead_s: UExpr,
                              prefill_eager_host_per_kernel_s: UExpr) -> UExpr:
    """Prefill launches its kernels eagerly: kernels x the host's cost per kernel, the larger of the launch cost and
    the framework's eager prefill host cost (Python/PyTorch dispatch and launch, efficiency profiles; 0 where not
    stated). vLLM replays piecewise graphs only up to its largest capture size (512 tokens) and runs attention
    eagerly between them (https://docs.vllm.ai/en/latest/design/cuda_graphs/). SGLang captures decode only by
    default (``enable_piecewise_cuda_graph`` False, python/sglang/srt/server_args.py); its eager one-token DeepSeek-V3
    prefill costs 82.64 ms against 23.10 ms replayed as a graph (sgl-project/sglang#12160), 59.54 ms of host time
    over 61 x 11 kernels (registry_data/research/r-pfgraph)."""
    return maximum(launch_overhead_s, kernel_launches * prefill_eager_host_per_kernel_s)


@serving_column
def decode_launch_overhead_s(decode_cuda_graphs: Plain, kernel_launches: UExpr, pp: UExpr,
                             launch_overhead_s: UExpr, graph_launch_s: UExpr,
                             graph_launch_per_kernel_s: UExpr) -> UExpr:
    """Where the framework replays decode as a CUDA/HIP graph (vLLM, SGLang, TensorRT-LLM: the
    efficiency profiles), one replay per pipeline stage: pp x graph_launch_s + kernels x
    graph_launch_per_kernel_s (CUDA 12.6 straight-line graphs: 2.5 µs + 1 ns per node, NVIDIA
    blog 2024-09-11); else every kernel launches eagerly (kernels x eager cost)."""
    replay = pp * graph_launch_s + kernel_launches * graph_launch_per_kernel_s
    return where(decode_cuda_graphs, replay, launch_overhead_s)


# -- operators and passes, one factory for both phases ---------------------------------------

@serving_column
def lm_head_at_16_bits(bytes_per_element: UExpr) -> Plain:
    """Whether the LM head runs a 16-bit GEMM beside narrower compute: its weights are not quantized
    (``operators.end_weight_bytes_per_param``), so under 8- or 4-bit compute it multiplies at 16 bits."""
    return bytes_per_element < lit(2.0, "B/elem")


@serving_column
def lm_head_peak_flop_per_s(lm_head_at_16_bits: Plain, peak_flop_per_s: UExpr,
                            sixteen_bit_peak_flop_per_s: UExpr) -> UExpr:
    """The LM head's peak: the 16-bit one (``mixed_precision.sixteen_bit_peak_flop_per_s``) under 8- or 4-bit
    compute, else the compute dtype's."""
    return where(lm_head_at_16_bits, sixteen_bit_peak_flop_per_s, peak_flop_per_s)


def times_of_bound(kind: str, args: tuple) -> list[UExpr]:
    """Each operator's time where its own bound is ``kind`` ("compute" or "memory"), else 0: ``args``
    are (time, is_compute_bound) pairs."""
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    return [where(is_compute if kind == "compute" else ~is_compute, t, 0) for t, is_compute in pairs]


def time_by_bound(n_layers: UExpr, kind: str, args: tuple) -> UExpr:
    """Sum of the operator times whose own bound is ``kind``: ``args`` are (time, is_compute_bound)
    pairs of the layer operators (x L) and, last, the LM head (once)."""
    *layer, head = times_of_bound(kind, args)
    return total(*(n_layers * part for part in layer), head)


def _operator_times(p: str) -> None:
    """Register, for phase ``p``, each operator's time and bound on this hardware, the class
    totals of a pass and the pass time (FLOPs and bytes: ``operators``)."""

    def op_time(kernels):
        def time_s(flop, nbytes, peak, eta_c, bw, eta_m, latency):
            return latency_roofline_time_s(flop, nbytes, peak, eta_c, bw, eta_m, kernels, latency)
        return time_s

    def op_compute_bound(kernels):
        def is_compute(flop, nbytes, peak, eta_c, bw, eta_m, latency):
            return latency_roofline_compute_bound(flop, nbytes, peak, eta_c, bw, eta_m, kernels, latency)
        return is_compute

    def gemm_bytes(nbytes, act):
        return nbytes - act

    def act_time(act, bw, eta_m, latency):
        return memory_kernels_time_s(act, bw, eta_m, 1.0, latency)

    def op_bound(is_compute_bound):  # text for the breakdown; the sweep keeps booleans
        return binding((is_compute_bound, "compute"), otherwise="memory")

    for op in (*OPERATORS, "lm_head"):
        # the matmuls' η is their GEMM shape's where the hardware has a kernel fit (operator_shapes.operator_gemms),
        # attention's the fused-attention model's (operator_shapes.operator_attention)
        eta = (f"{p}_{op}_priced_eta_compute" if op in ("qkv_proj", "o_proj")  # mixed_precision: 16-bit projections
               else f"{p}_{op}_eta_compute" if op in (*GEMM_OPERATORS, "attention") else "eta_compute")
        # the memory side pays each kernel's fixed time (kernel_calls.latency_roofline_time_s; 0 but under a kernel fit)
        # a 16-bit LM head; the linear layers' under a per-layer format mix, attention's at its kernel's precision
        # (both mixed_precision); the others the dtype's
        peak = ("lm_head_peak_flop_per_s" if op == "lm_head" else "qkv_peak_flop_per_s" if op == "qkv_proj"
                else "o_peak_flop_per_s" if op == "o_proj"
                else "linear_peak_flop_per_s" if op in GEMM_OPERATORS
                else "attention_peak_flop_per_s" if op == "attention" else "peak_flop_per_s")
        roof = [peak, eta, "memory_bandwidth_bytes_per_s", "eta_memory", "memory_latency_s"]
        kernels = OPERATOR_KERNELS[op]
        if op == "mlp":  # its GEMMs' roofline, then the activation kernel between them on its own (serial)
            define_serving(f"{p}_mlp_gemm_bytes", [f"{p}_mlp_bytes", f"{p}_mlp_act_bytes"], gemm_bytes)
            gemms = kernels - 1.0  # up and down; the activation kernel is the third
            define_serving(f"{p}_mlp_gemm_time_s", [f"{p}_mlp_flop", f"{p}_mlp_gemm_bytes", *roof], op_time(gemms))
            define_serving(f"{p}_mlp_is_compute_bound", [f"{p}_mlp_flop", f"{p}_mlp_gemm_bytes", *roof],
                           op_compute_bound(gemms))
            define_serving(f"{p}_mlp_act_time_s", [f"{p}_mlp_act_bytes", *roof[2:]], act_time)
            define_serving(f"{p}_mlp_time_s", [f"{p}_mlp_gemm_time_s", f"{p}_mlp_act_time_s"], total)
        else:
            define_serving(f"{p}_{op}_time_s", [f"{p}_{op}_flop", f"{p}_{op}_bytes", *roof], op_time(kernels))
            define_serving(f"{p}_{op}_is_compute_bound", [f"{p}_{op}_flop", f"{p}_{op}_bytes", *roof],
                           op_compute_bound(kernels))
        define_serving(f"{p}_{op}_bound", [f"{p}_{op}_is_compute_bound"], op_bound)

    # Class totals for one pass of a token through all L layers (the sweep keeps these). Attention's class and the
    # operators' sum are attention's part plus a rest (its projections; the other classes): decode's rests read no
    # length, so they are summed once per length-free key (``serving_precomputed``) and each row reads one column
    # of each instead of its parts (issue 15)
    def attention_total(n_layers, attn, projections_):
        return n_layers * (attn + projections_)

    def other_total(n_layers, norms, head, sampling):
        """The norms x L, the LM head and the sampling kernels after it (``pipeline.walls.sampling``)."""
        return n_layers * norms + head + sampling

    define_serving(f"{p}_projections_time_s", [f"{p}_qkv_proj_time_s", f"{p}_o_proj_time_s"], total)
    define_serving(f"{p}_attention_class_time_s", ["n_layers", f"{p}_attention_time_s", f"{p}_projections_time_s"],
                   attention_total)
    def mlp_total(n_layers, mlp, routing):
        """The MLP x L, plus an MoE layer's routing kernels (``pipeline.walls.moe_routing``; 0 dense)."""
        return n_layers * mlp + routing

    define_serving(f"{p}_mlp_class_time_s", ["n_layers", f"{p}_mlp_time_s", f"{p}_moe_routing_time_s"], mlp_total)
    define_serving(f"{p}_other_class_time_s", ["n_layers", f"{p}_norms_time_s", f"{p}_lm_head_time_s",
                                               f"{p}_sampling_time_s"], other_total)

    define_serving(f"{p}_operators_rest_time_s", [f"{p}_mlp_class_time_s", f"{p}_other_class_time_s",
                                                  f"{p}_dequant_overhead_s"], total)
    # a named column: the pass and ``streaming.streaming_binds`` read the one sum (polars' CSE built it twice)
    define_serving(f"{p}_operators_time_s", [f"{p}_attention_class_time_s", f"{p}_operators_rest_time_s"], total)

    def pass_time(operators, comm, launch, stream, lora, alltoall, overlap):
        compute_and_memory = operators + lora  # lora: the LoRA kernels (pipeline.walls.lora)
        hidden = alltoall_hidden_s(overlap, alltoall, compute_and_memory)  # dual-batch overlap, else 0
        return maximum(compute_and_memory, stream) + comm - hidden + launch

    define_serving(f"{p}_pass_time_s", [f"{p}_operators_time_s", f"{p}_communication_time_s",
                                        f"{p}_launch_overhead_s", "weight_stream_time_s", f"{p}_lora_time_s",
                                        f"{p}_alltoall_time_s", "dual_batch_overlap"], pass_time)

    def compute_bound_time(n_layers, *args):
        """The compute-bound operators' time (attention's apart: ``with_attention``)."""
        return time_by_bound(n_layers, "compute", args)

    def memory_bound_time(n_layers, mlp_act, *args):
        """The memory-bound operators' time (attention's apart), with the MLP's activation kernel (memory-bound
        whatever its GEMMs)."""
        return time_by_bound(n_layers, "memory", args) + n_layers * mlp_act

    def with_attention(kind):
        def bound_time(n_layers, attention, is_compute, rest):
            """Attention's time x L where its bound is ``kind``, plus the other operators' (``rest``)."""
            return n_layers * times_of_bound(kind, (attention, is_compute))[0] + rest
        return bound_time

    # attention's part apart from the other operators': decode's others read no length, so their sum is computed
    # once per hardware row x length-free model row (``serving_precomputed``), not per row (issue 15)
    parts = [c for op in OPERATORS if op != "attention" for c in (f"{p}_{'mlp_gemm' if op == 'mlp' else op}_time_s",
                                                                   f"{p}_{op}_is_compute_bound")]
    head = [f"{p}_lm_head_time_s", f"{p}_lm_head_is_compute_bound"]
    attention = ["n_layers", f"{p}_attention_time_s", f"{p}_attention_is_compute_bound"]
    define_serving(f"{p}_compute_bound_rest_time_s", ["n_layers", *parts, *head], compute_bound_time)
    define_serving(f"{p}_memory_bound_rest_time_s", ["n_layers", f"{p}_mlp_act_time_s", *parts, *head],
                   memory_bound_time)
    define_serving(f"{p}_compute_bound_time_s", [*attention, f"{p}_compute_bound_rest_time_s"],
                   with_attention("compute"))
    define_serving(f"{p}_memory_bound_time_s", [*attention, f"{p}_memory_bound_rest_time_s"], with_attention("memory"))

    def phase_bound(feasible, streaming, compute, memory, comm, launch, stream):
        return binding((~feasible, "capacity"),
                       (streaming & (stream >= compute + memory), "host link"),
                       ((compute >= memory) & (compute >= comm) & (compute >= launch), "compute"),
                       ((memory >= comm) & (memory >= launch), "memory"),
                       (comm >= launch, "network"),
                       otherwise="overhead")

    define_serving(f"{p}_bound", ["is_feasible", "weight_streaming", f"{p}_compute_bound_time_s",
                                  f"{p}_memory_bound_time_s", f"{p}_communication_time_s", f"{p}_launch_overhead_s",
                                  "weight_stream_time_s"], phase_bound)


for _phase in PHASES:
    _operator_times(_phase)


# -- the request's latencies and throughput ----------------------------------------------------

@serving_column
def prefill_microbatch_sequences(prefill_sequences: UExpr, pp: UExpr) -> UExpr:
    """Prompts of one prefill micro-batch: ceil(S / pp), as decode's (``decode_sequences``): TensorRT-LLM's
    in-flight batcher runs pp micro-batches under PP (``mNumMicroBatches = getPipelineParallelism()``,
    cpp/tensorrt_llm/batch_manager/trtGptModelInflightBatching.cpp; GptSession's micro-batch
    ceilDiv(maxBatchSize, numMicroBatches)), vLLM one virtual engine per stage
    (https://github.com/vllm-project/vllm/issues/11945)."""
    return (prefill_sequences / pp).ceil()


@serving_column
def prefill_microbatches(prefill_sequences: UExpr, prefill_microbatch_sequences: UExpr) -> UExpr:
    """Micro-batches m of the batch's prefill: ceil(S / ceil(S / pp)) (pp, fewer where S < pp)."""
    return (prefill_sequences / prefill_microbatch_sequences).ceil()


@serving_column
def prefill_microbatch_stage_time_s(prefill_pass_time_s: UExpr, prefill_stage_share: UExpr,
                                    prefill_microbatch_sequences: UExpr, prefill_sequences: UExpr,
                                    weights_per_device_bytes: UExpr, memory_bandwidth_bytes_per_s: UExpr,
                                    eta_memory: UExpr) -> UExpr:
    """One prefill micro-batch on the busiest stage: the batch's pass x the stage's layer share
    (``prefill_stage_share``) x the micro-batch's share of the prompts (a batched prefill's time is its
    tokens', first order), at least the stage reading its weights once (roofline: each micro-batch
    streams the stage's weights again, which bounds a memory-bound micro-batch)."""
    tokens = prefill_pass_time_s * prefill_stage_share * (prefill_microbatch_sequences / prefill_sequences)
    weights = (weights_per_device_bytes / (memory_bandwidth_bytes_per_s * eta_memory)).to("s")
    return maximum(tokens, weights)


@serving_column
def ttft_s(is_feasible: Plain, pp: UExpr, prefill_pass_time_s: UExpr, prefill_microbatches: UExpr,
           prefill_microbatch_stage_time_s: UExpr) -> UExpr:
    """Wall 4: time to first token of the batch's prompts = their prefill + TP/PP communication + launches.
    With PP the batch's prefill is micro-batched: the last of m micro-batches leaves the last stage after
    m + pp - 1 stage times (GPipe's fill, bubble fraction (pp - 1) / (m + pp - 1); Huang et al. 2019,
    §2.2; Narayanan et al. 2021, §2.2), not the whole batch through every stage in turn (pp x m stage times).
    Without PP the pass itself."""
    filled = (prefill_microbatches + pp - 1.0) * prefill_microbatch_stage_time_s
    return only_where(is_feasible, where(pp > 1, filled, prefill_pass_time_s))


@serving_column
def itl_s(is_feasible: Plain, decode_pass_time_s: UExpr, scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """Inter-token latency: one decode round at the mean context, with its compute term, plus
    the server's CPU scheduling time per iteration that is not hidden behind the GPU (0 for
    overlap schedulers: SGLang v0.4, TensorRT-LLM; efficiency profiles)."""
    return only_where(is_feasible, decode_pass_time_s + scheduler_overhead_per_iteration_s)


@serving_column
def e2e_latency_s(ttft_s: UExpr, itl_s: UExpr, generated_tokens: UExpr, attention_dp_stall_s: UExpr) -> UExpr:
    """First token, then every other generated token (thinking tokens included) one ITL apart, each iteration
    waiting for other attention-DP groups' contexts (``expert_parallel.attention_dp_stall_s``: 0 unless
    serving.attention_dp_unaligned, and without EP)."""
    return ttft_s + (generated_tokens / TOKEN - 1.0) * (itl_s + attention_dp_stall_s)


@serving_column
def tokens_per_s(batch: UExpr, itl_s: UExpr) -> UExpr:
    """Generated tokens per second of the whole tp x pp system in steady decode."""
    return (batch * TOKEN / itl_s).to("tok/s")


@serving_column
def tokens_per_s_per_device(tokens_per_s: UExpr, devices_per_replica: UExpr) -> UExpr:
    """tokens_per_s / the replica's devices (tp x pp, x attention groups with EP)."""
    return tokens_per_s / devices_per_replica


@serving_column
def bound(decode_bound: Plain) -> Plain:
    """Binding constraint of a decode round (``pipeline.walls.bounds``): compute, memory, network,
    overhead, host link (streaming) or capacity."""
    return decode_bound


@serving_column
def ttft_bound(prefill_bound: Plain) -> Plain:
    return prefill_bound
